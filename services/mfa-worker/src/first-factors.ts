// The first-factor providers the configured clients name, built once from `directories`.
import { readFileSync } from 'node:fs';
import type { Config, FirstFactor } from '@radius-mfa/config';
import {
  DirectoryError,
  EntraFirstFactorProvider,
  LdapProvider,
  LocalProvider,
  NoneProvider,
  RadiusProvider,
  type EntraConnection,
  type EntraLogger,
  type FirstFactorProvider,
} from '@radius-mfa/directory';

export interface FirstFactorProviders {
  get(kind: FirstFactor): FirstFactorProvider;
  close(): Promise<void>;
}

function missing(kind: string): never {
  throw new DirectoryError('config', `a client uses firstFactor ${kind} but directories.${kind} is not configured`);
}

/**
 * Builds only what some client uses, so a deployment need not configure directories it does not
 * use. `none` takes groups from LDAP or the local users when either is configured (bypass and
 * group attributes for RD Gateway). `entra` is the process's one Entra connection (its owner
 * closes it); its groups are read by the flow's Entra step, where an outage meets failMode.
 */
export function createFirstFactorProviders(config: Config, normalize: (name: string) => string, entra: (() => EntraConnection) | undefined, logger: EntraLogger): FirstFactorProviders {
  const used = new Set<FirstFactor>(config.clients.map((client) => client.firstFactor));
  const { directories } = config;
  const providers = new Map<FirstFactor, FirstFactorProvider>();

  const local = (): LocalProvider =>
    (providers.get('local') as LocalProvider | undefined) ??
    new LocalProvider({ users: directories.local?.users ?? missing('local'), normalize });
  const ldap = (): LdapProvider => {
    const options = directories.ldap ?? missing('ldap');
    return (
      (providers.get('ldap') as LdapProvider | undefined) ??
      new LdapProvider({
        url: options.url,
        bindDn: options.bindDn,
        bindPassword: options.bindPassword,
        userSearch: options.userSearch,
        groupAttribute: options.groupAttribute,
        startTls: options.startTls,
        timeoutSeconds: options.timeoutSeconds,
        ...(options.tls && { tls: { rejectUnauthorized: options.tls.rejectUnauthorized, ...(options.tls.ca !== undefined && { ca: readFileSync(options.tls.ca) }) } }),
      })
    );
  };

  if (used.has('local')) providers.set('local', local());
  if (used.has('ldap')) providers.set('ldap', ldap());
  if (used.has('radius')) {
    const options = directories.radius ?? missing('radius');
    providers.set(
      'radius',
      new RadiusProvider({
        servers: options.servers,
        secret: options.secret,
        timeoutSeconds: options.timeoutSeconds,
        retries: options.retries,
        requireMessageAuthenticator: options.requireMessageAuthenticator,
      }),
    );
  }
  if (used.has('entra')) {
    if (!directories.entra || !entra) missing('entra');
    providers.set('entra', new EntraFirstFactorProvider(entra(), { logger, readGroups: false }));
  }
  if (used.has('none')) {
    const groupsFrom = directories.ldap ? ldap() : directories.local ? local() : undefined;
    providers.set('none', new NoneProvider(groupsFrom ? { groupsFrom } : {}));
  }

  return {
    get(kind) {
      return providers.get(kind) ?? missing(kind);
    },
    async close() {
      await Promise.allSettled([...new Set(providers.values())].map((provider) => provider.close()));
    },
  };
}
