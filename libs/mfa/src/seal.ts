import { createCipheriv, createDecipheriv, createSecretKey, randomFillSync, type KeyObject } from 'node:crypto';

/**
 * AES-256-GCM sealing under a key id, so keys can rotate: the first key seals, every key opens.
 *
 * Sealed format: version (1 byte, 0x01) | key-id length (1 byte) | key id (UTF-8) | IV (12 bytes)
 * | ciphertext | tag (16 bytes). The header (version + key id) is authenticated together with the
 * caller's AAD, so a sealed value cannot be relabelled to another key or moved to another context.
 */

const VERSION = 0x01;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const KEY_LENGTH = 32;

export type SealErrorReason = 'invalid-key' | 'malformed' | 'unknown-key' | 'unsupported-version' | 'authentication-failed';

export class SealError extends Error {
  constructor(
    readonly reason: SealErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'SealError';
  }
}

export interface SealingKey {
  readonly id: string;
  /** 32 bytes (AES-256). */
  readonly key: Buffer;
}

export interface Sealer {
  /** The id of the key new values are sealed under. */
  readonly currentKeyId: string;
  seal(plain: Buffer, aad?: string): Buffer;
  unseal(sealed: Buffer, aad?: string): Buffer;
  /** The key id a sealed value names (for re-sealing after a rotation), without opening it. */
  keyIdOf(sealed: Buffer): string;
}

interface PreparedKey {
  /**
   * Prepared once: a Buffer key makes Node build a key object on every cipher (a measurable
   * share of a worker's CPU, two unseals per job). The KeyObject holds its own copy.
   */
  readonly key: KeyObject;
  readonly header: Buffer;
}

function header(id: string): Buffer {
  const idBytes = Buffer.from(id, 'utf8');
  if (idBytes.length === 0 || idBytes.length > 255) throw new SealError('invalid-key', `sealing key id must be 1..255 bytes: "${id}"`);
  return Buffer.concat([Buffer.from([VERSION, idBytes.length]), idBytes]);
}

function additionalData(headerBytes: Buffer, aad: string | undefined): Buffer {
  return aad === undefined ? headerBytes : Buffer.concat([headerBytes, Buffer.from(aad, 'utf8')]);
}

function parseHeader(sealed: Buffer): { id: string; headerLength: number } {
  if (sealed.length < 2) throw new SealError('malformed', 'sealed value too short');
  if (sealed[0] !== VERSION) throw new SealError('unsupported-version', `unsupported sealed format version ${sealed[0]}`);
  const idLength = sealed[1]!;
  const headerLength = 2 + idLength;
  if (idLength === 0 || sealed.length < headerLength + IV_LENGTH + TAG_LENGTH) throw new SealError('malformed', 'sealed value too short');
  return { id: sealed.subarray(2, headerLength).toString('utf8'), headerLength };
}

/** IVs per draw from the CSPRNG. */
const IVS_PER_DRAW = 256;

/**
 * Random 96-bit IVs (NIST SP 800-38D §8.2.2), drawn from the CSPRNG 256 at a time: one
 * `randomBytes` per seal was a tenth of the ingress's sealing cost (it seals every request).
 * Each IV is used once; an IV is not secret, so holding the next ones in memory costs nothing.
 */
function createIvSource(): () => Buffer {
  let block = Buffer.alloc(0);
  let offset = 0;
  return () => {
    if (offset + IV_LENGTH > block.length) {
      block = randomFillSync(Buffer.allocUnsafeSlow(IV_LENGTH * IVS_PER_DRAW));
      offset = 0;
    }
    const iv = block.subarray(offset, offset + IV_LENGTH);
    offset += IV_LENGTH;
    return iv;
  };
}

/** A sealer over `keys`; the first key is current, the others only open (rotation). */
export function createSealer(keys: readonly SealingKey[]): Sealer {
  if (keys.length === 0) throw new SealError('invalid-key', 'at least one sealing key is required');
  const byId = new Map<string, PreparedKey>();
  for (const { id, key } of keys) {
    if (key.length !== KEY_LENGTH) throw new SealError('invalid-key', `sealing key "${id}" must be ${KEY_LENGTH} bytes, got ${key.length}`);
    if (byId.has(id)) throw new SealError('invalid-key', `duplicate sealing key id "${id}"`);
    byId.set(id, { key: createSecretKey(key), header: header(id) });
  }
  const currentKeyId = keys[0]!.id;
  const current = byId.get(currentKeyId)!;
  const nextIv = createIvSource();

  return {
    currentKeyId,
    seal(plain, aad) {
      const iv = nextIv();
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(additionalData(current.header, aad));
      const body = cipher.update(plain);
      const final = cipher.final();
      return Buffer.concat([current.header, iv, body, final, cipher.getAuthTag()]);
    },
    unseal(sealed, aad) {
      const { id, headerLength } = parseHeader(sealed);
      const prepared = byId.get(id);
      if (!prepared) throw new SealError('unknown-key', `no sealing key with id "${id}"`);
      const iv = sealed.subarray(headerLength, headerLength + IV_LENGTH);
      const tag = sealed.subarray(sealed.length - TAG_LENGTH);
      const decipher = createDecipheriv('aes-256-gcm', prepared.key, iv, { authTagLength: TAG_LENGTH });
      decipher.setAAD(additionalData(prepared.header, aad));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(sealed.subarray(headerLength + IV_LENGTH, sealed.length - TAG_LENGTH)), decipher.final()]);
      } catch {
        throw new SealError('authentication-failed', 'sealed value failed authentication (tampered, wrong key or wrong context)');
      }
    },
    keyIdOf(sealed) {
      return parseHeader(sealed).id;
    },
  };
}

/** A sealer from `security.sealingKeys` as configured: key material in base64. */
export function createSealerFromBase64(keys: readonly { readonly id: string; readonly key: string }[]): Sealer {
  return createSealer(keys.map(({ id, key }) => ({ id, key: Buffer.from(key, 'base64') })));
}
