import type { EntraConnection } from './connection.js';
import { EntraError } from './errors.js';

export interface EntraCheck {
  check: 'graph-token' | 'user-lookup' | 'group-lookup' | 'acs-token';
  ok: boolean;
  /** What was found, or what is wrong and how to fix it. */
  message: string;
}

/**
 * For `radius-mfa doctor`: gets the tokens and makes one real Graph lookup, so a wrong tenant,
 * a bad credential, clock skew or a missing permission shows up before the first sign-in.
 * `probeUser` is any user name that exists in the tenant.
 */
export async function diagnoseEntra(connection: EntraConnection, options: { probeUser?: string; signal?: AbortSignal } = {}): Promise<EntraCheck[]> {
  const checks: EntraCheck[] = [];
  const run = async (check: EntraCheck['check'], action: () => Promise<string>): Promise<boolean> => {
    try {
      checks.push({ check, ok: true, message: await action() });
      return true;
    } catch (error) {
      checks.push({ check, ok: false, message: error instanceof EntraError ? `${error.code}: ${error.message}` : String(error) });
      return false;
    }
  };
  const tokenOk = await run('graph-token', async () => {
    await connection.tokens.graphToken();
    return `token for ${connection.tokens.graphEndpoint} acquired as ${connection.options.clientId}`;
  });
  if (tokenOk && options.probeUser) {
    const probeUser = options.probeUser;
    let userId: string | undefined;
    await run('user-lookup', async () => {
      const user = await connection.directory.resolveUser(probeUser, options.signal);
      if (!user) throw new EntraError('config', `${probeUser} not found: check alternateLoginId and that the attribute is synced to Entra`);
      userId = user.id;
      return `${probeUser} is ${user.upn} (${user.enabled ? 'enabled' : 'disabled'})`;
    });
    if (userId) {
      const id = userId;
      await run('group-lookup', async () => `${(await connection.directory.allMemberGroups(id, options.signal)).length} groups`);
    }
  }
  if (connection.options.acsEndpoint) {
    await run('acs-token', async () => {
      await connection.tokens.acsToken();
      return 'token for Azure Communication Services acquired';
    });
  }
  return checks;
}
