import { createHash } from 'node:crypto';

/**
 * The transaction a request belongs to: same client, source address, port, Identifier and
 * Request Authenticator means the same transaction (RFC 5080 §2.2.2). 128 bits, hex.
 */
export function transactionId(client: string, address: string, port: number, identifier: number, authenticator: Buffer): string {
  const hash = createHash('sha256');
  hash.update(client);
  hash.update('\0');
  hash.update(address);
  hash.update('\0');
  hash.update(String(port));
  hash.update(Buffer.of(identifier & 0xff));
  hash.update(authenticator);
  return hash.digest('hex').slice(0, 32);
}
