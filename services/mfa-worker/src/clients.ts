// Each configured client with what its decisions need, compiled once at start-up.
import type { ClientConfig, Config } from '@radius-mfa/config';
import { compileClientAttributes, type ClientReplyAttributes } from './attributes.js';
import { compilePolicy, type ClientPolicy } from './policy.js';

export interface ClientRuntime {
  readonly config: ClientConfig;
  /** The shared secret as the codec wants it (RFC 2865 §3: octets). */
  readonly secret: Buffer;
  readonly policy: ClientPolicy;
  readonly attributes: ClientReplyAttributes;
}

/** Throws AttributeConfigError for a reply attribute the dictionary cannot encode. */
export function compileClients(config: Config, normalizeUser: (name: string) => string): ReadonlyMap<string, ClientRuntime> {
  return new Map(
    config.clients.map((client, index) => [
      client.name,
      {
        config: client,
        secret: Buffer.from(client.secret, 'utf8'),
        policy: compilePolicy(client, normalizeUser),
        attributes: compileClientAttributes(client, index),
      },
    ]),
  );
}
