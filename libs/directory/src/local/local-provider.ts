import { DirectoryError } from '../errors.js';
import type { FirstFactorProvider, FirstFactorRequest, FirstFactorResult } from '../provider.js';
import { dummyHashAtCost, parseArgon2idCost, verifyArgon2, type Argon2Cost, type PasswordVerifier } from './argon2-hash.js';

/** One entry of `directories.local.users`; `name` is compared after normalisation. */
export interface LocalUser {
  name: string;
  passwordHash: string;
  groups?: readonly string[];
}

export interface LocalDirectoryOptions {
  users: readonly LocalUser[];
  /** Names in the config are normalised by the same rules as incoming names. */
  normalize?: (name: string) => string;
  /** Replaceable for tests that count calls; argon2.verify by default. */
  verifyPassword?: PasswordVerifier;
}

/**
 * firstFactor `local`: users with argon2id hashes in the configuration. An unknown user
 * costs one argon2 verification, like a known one, so timing does not reveal who exists.
 */
export class LocalProvider implements FirstFactorProvider {
  readonly kind = 'local' as const;
  readonly #users = new Map<string, { passwordHash: string; groups: string[] }>();
  readonly #verify: PasswordVerifier;
  readonly #dummyHash: Promise<string>;

  constructor(options: LocalDirectoryOptions) {
    const normalize = options.normalize ?? ((name: string) => name);
    const problems: string[] = [];
    const costs = new Map<string, { cost: Argon2Cost; count: number }>();
    for (const user of options.users) {
      const name = normalize(user.name);
      const cost = parseArgon2idCost(user.passwordHash);
      if (!cost) problems.push(`user "${user.name}": passwordHash is not an argon2id hash ($argon2id$v=19$...)`);
      else {
        const key = `${cost.memoryCost}/${cost.timeCost}/${cost.parallelism}`;
        costs.set(key, { cost, count: (costs.get(key)?.count ?? 0) + 1 });
      }
      if (this.#users.has(name)) problems.push(`user "${user.name}": listed twice (after normalisation: "${name}")`);
      this.#users.set(name, { passwordHash: user.passwordHash, groups: [...(user.groups ?? [])] });
    }
    if (problems.length > 0) throw new DirectoryError('config', `directories.local: ${problems.join('; ')}`);
    // The dummy costs what most configured hashes cost.
    // Prepared now, so the first unknown user does not pay for hashing it.
    const dummyCost = [...costs.values()].sort((a, b) => b.count - a.count)[0]?.cost;
    this.#dummyHash = dummyHashAtCost(dummyCost);
    this.#verify = options.verifyPassword ?? verifyArgon2;
  }

  async authenticate(request: FirstFactorRequest, context: { signal: AbortSignal }): Promise<FirstFactorResult> {
    if (context.signal.aborted) return { outcome: 'unavailable', reason: 'aborted before the password check' };
    const user = this.#users.get(request.user);
    // CHAP and MS-CHAPv2 need the cleartext or NT hash on our side; an argon2 hash cannot answer them.
    if (request.password === undefined) {
      return { outcome: 'reject', reason: 'local users authenticate with PAP only (no password in the request)' };
    }
    const hash = user?.passwordHash ?? (await this.#dummyHash);
    const matches = await this.#verify(hash, request.password);
    if (!user) return { outcome: 'reject', reason: 'unknown user' };
    if (!matches) return { outcome: 'reject', reason: 'wrong password' };
    return { outcome: 'accept', groups: [...user.groups], replyAttributes: [] };
  }

  async groupsOf(user: string): Promise<string[]> {
    return [...(this.#users.get(user)?.groups ?? [])];
  }

  async close(): Promise<void> {
    // Nothing held.
  }
}
