/** One attribute as it travels on the wire: type and raw value bytes (RFC 2865 §5). */
export interface RawAttribute {
  type: number;
  value: Buffer;
}

/** What the worker asks a first-factor backend; `user` is already normalised. */
export interface FirstFactorRequest {
  user: string;
  /** PAP, unhidden, as bytes. */
  password?: Buffer;
  chap?: { id: number; response: Buffer; challenge: Buffer };
  mschapv2?: { peerChallenge: Buffer; ntResponse: Buffer; authenticatorChallenge: Buffer; ident: number; userNameRaw: Buffer };
  /** The downstream request's raw attributes, for proxying (the RADIUS provider passes through what it must). */
  requestAttributes?: readonly RawAttribute[];
  callingStationId?: string;
}

export type FirstFactorResult =
  | {
      outcome: 'accept';
      groups: string[];
      /** e.g. MS-CHAP2-Success, and MPPE keys already re-encrypted for the downstream client. */
      replyAttributes: RawAttribute[];
    }
  | { outcome: 'reject'; reason: string }
  /** Server down, timeout: the client's failMode decides. */
  | { outcome: 'unavailable'; reason: string };

export interface FirstFactorContext {
  signal: AbortSignal;
  /** The NAS's secret and request authenticator, needed to re-encrypt MPPE keys for it. */
  downstream?: { secret: Buffer; requestAuthenticator: Buffer };
}

export type FirstFactorKind = 'none' | 'local' | 'ldap' | 'radius' | 'entra';

export interface FirstFactorProvider {
  readonly kind: FirstFactorKind;
  authenticate(request: FirstFactorRequest, context: FirstFactorContext): Promise<FirstFactorResult>;
  /** Groups without a password (policy for firstFactor none + bypass rules); [] when unknown. */
  groupsOf(user: string, signal: AbortSignal): Promise<string[]>;
  close(): Promise<void>;
}
