/** Thrown when data crossing a process boundary (a job, a message) does not match its contract. */
export class ContractError extends Error {
  constructor(
    readonly contract: string,
    readonly problem: string,
  ) {
    super(`${contract}: ${problem}`);
    this.name = 'ContractError';
  }
}

/**
 * An authentication job on the `auth` queue. Versioned by `kind`; a new shape gets a new kind
 * and both ends accept the old one until it has drained.
 */
export interface AuthJobV1 {
  readonly kind: 'auth.v1';
  /** Transaction id: H(client, source IP, port, Identifier, Request Authenticator), hex. */
  readonly txn: string;
  /** Configured client (NAS) name. */
  readonly client: string;
  /** The ingress that admitted the request (also in the transaction's waiters). */
  readonly ingressId: string;
  /** Epoch ms when the ingress received the request. */
  readonly receivedAt: number;
  /** Epoch ms by which the NAS must have an answer (timeoutSeconds). */
  readonly deadline: number;
  readonly source: { readonly address: string; readonly port: number };
  /** The raw request, sealed with AES-256-GCM (libs/mfa `seal`), base64. Never cleartext. */
  readonly sealedRequest: string;
  /**
   * How the request arrived. `radsec`: over TLS (RFC 6614), where the shared secret is the
   * literal "radsec" (§2.3), not the client's configured secret. Absent means `udp`.
   */
  readonly transport?: 'udp' | 'radsec';
}

export type AuthJob = AuthJobV1;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates job data read from the queue; throws ContractError naming the first bad field. */
export function parseAuthJob(data: unknown): AuthJob {
  const bad = (problem: string): never => {
    throw new ContractError('auth job', problem);
  };
  if (!isRecord(data)) return bad('not an object');
  if (data['kind'] !== 'auth.v1') return bad(`unknown kind ${JSON.stringify(data['kind'])}`);
  for (const field of ['txn', 'client', 'ingressId', 'sealedRequest'] as const) {
    if (typeof data[field] !== 'string' || data[field] === '') bad(`${field} must be a non-empty string`);
  }
  for (const field of ['receivedAt', 'deadline'] as const) {
    if (typeof data[field] !== 'number' || !Number.isFinite(data[field])) bad(`${field} must be a number`);
  }
  if (data['transport'] !== undefined && data['transport'] !== 'udp' && data['transport'] !== 'radsec') bad('transport must be udp or radsec');
  const source = data['source'];
  if (!isRecord(source) || typeof source['address'] !== 'string' || typeof source['port'] !== 'number') {
    bad('source must be { address: string, port: number }');
  }
  return data as unknown as AuthJob;
}
