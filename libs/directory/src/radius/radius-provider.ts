import { randomBytes, randomInt } from 'node:crypto';
import { Code, buildRequest } from '@radius-mfa/radius-protocol';
import { DirectoryError } from '../errors.js';
import type { FirstFactorContext, FirstFactorProvider, FirstFactorRequest, FirstFactorResult } from '../provider.js';
import { exchangeWithServer } from './upstream-exchange.js';
import { downstreamReplyAttributes, replyMessageOf } from './upstream-reply.js';
import { msChapV2Credentials, upstreamRequestAttributes } from './upstream-request.js';
import { parseUpstreamServer, type UpstreamServer } from './upstream-servers.js';

/** `directories.radius` as the provider needs it. */
export interface RadiusDirectoryOptions {
  /** `udp://10.0.0.5:1812`, tried in order with failover. */
  servers: readonly string[];
  secret: string | Buffer;
  /** Wait for one transmission; 5 s by default. */
  timeoutSeconds?: number;
  /** Retransmissions to one server before failing over; 1 by default. */
  retries?: number;
  /** Which User-Name goes upstream for PAP and CHAP; MS-CHAPv2 always sends the name the peer hashed. */
  userName?: 'as-received' | 'normalized';
  /** Refuse upstream replies without Message-Authenticator (BlastRADIUS, CVE-2024-3596); on by default, `false` only for an upstream too old to send it (FreeRADIUS < 3.2.5, unpatched NPS). */
  requireMessageAuthenticator?: boolean;
  /** How long a server that did not answer is tried only after the others; 30 s by default. */
  deadTimeSeconds?: number;
}

/**
 * firstFactor `radius`: proxies the first factor to NPS or FreeRADIUS. PAP is hidden
 * again with the upstream secret, CHAP and MS-CHAPv2 are passed through, and MPPE keys
 * in the Accept are re-encrypted for the NAS. A server that does not answer is failed
 * over to the next, and tried last for a while.
 */
export class RadiusProvider implements FirstFactorProvider {
  readonly kind = 'radius' as const;
  readonly #servers: UpstreamServer[];
  readonly #secret: Buffer;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #userName: 'as-received' | 'normalized';
  readonly #requireMessageAuthenticator: boolean;
  readonly #deadTimeMs: number;
  /** Server label → time until which it is tried last. */
  readonly #deadUntil = new Map<string, number>();
  readonly #closing = new AbortController();

  constructor(options: RadiusDirectoryOptions) {
    if (options.servers.length === 0) throw new DirectoryError('config', 'directories.radius.servers is empty');
    this.#servers = options.servers.map(parseUpstreamServer);
    this.#secret = Buffer.isBuffer(options.secret) ? options.secret : Buffer.from(options.secret, 'utf8');
    if (this.#secret.length === 0) throw new DirectoryError('config', 'directories.radius.secret is empty');
    this.#timeoutMs = (options.timeoutSeconds ?? 5) * 1000;
    this.#retries = options.retries ?? 1;
    this.#userName = options.userName ?? 'as-received';
    this.#requireMessageAuthenticator = options.requireMessageAuthenticator ?? true;
    this.#deadTimeMs = (options.deadTimeSeconds ?? 30) * 1000;
  }

  async authenticate(request: FirstFactorRequest, context: FirstFactorContext): Promise<FirstFactorResult> {
    if (request.password === undefined && !request.chap && !msChapV2Credentials(request)) {
      return { outcome: 'reject', reason: 'no PAP, CHAP or MS-CHAPv2 credentials to proxy' };
    }
    const signal = AbortSignal.any([context.signal, this.#closing.signal]);
    const failures: string[] = [];
    for (const server of this.#serversInOrder()) {
      if (signal.aborted) break;
      // A fresh authenticator per server; retransmissions to one server reuse it (RFC 5080 §2.2.1).
      const authenticator = randomBytes(16);
      const identifier = randomInt(256);
      const packet = buildRequest({
        code: Code.AccessRequest,
        identifier,
        authenticator,
        attributes: upstreamRequestAttributes(request, { secret: this.#secret, authenticator, userName: this.#userName }),
        secret: this.#secret,
        // Always sent: an upstream that checks it is safe from BlastRADIUS (RFC 3579 §3.2).
        messageAuthenticator: true,
      });
      const result = await exchangeWithServer(server, { packet, identifier, authenticator }, {
        secret: this.#secret,
        timeoutMs: this.#timeoutMs,
        retries: this.#retries,
        requireMessageAuthenticator: this.#requireMessageAuthenticator,
        signal,
      });
      // The caller gave up: that says nothing about the server.
      if (signal.aborted) break;
      if (result.kind !== 'response') {
        failures.push(`${server.label}: ${result.kind === 'timeout' ? `no answer after ${this.#retries + 1} transmissions` : result.message}`);
        this.#deadUntil.set(server.label, Date.now() + this.#deadTimeMs);
        continue;
      }
      this.#deadUntil.delete(server.label);
      return this.#outcomeOf(result.packet, { secret: this.#secret, requestAuthenticator: authenticator }, context.downstream, server);
    }
    if (signal.aborted) return { outcome: 'unavailable', reason: 'upstream RADIUS request aborted' };
    return { outcome: 'unavailable', reason: `no upstream RADIUS server answered (${failures.join('; ')})` };
  }

  /** An upstream RADIUS server tells no groups without a password. */
  async groupsOf(): Promise<string[]> {
    return [];
  }

  async close(): Promise<void> {
    this.#closing.abort();
  }

  /** Live servers in configured order, then the ones that recently failed. */
  #serversInOrder(): UpstreamServer[] {
    const now = Date.now();
    const isDead = (server: UpstreamServer): boolean => (this.#deadUntil.get(server.label) ?? 0) > now;
    return [...this.#servers.filter((server) => !isDead(server)), ...this.#servers.filter(isDead)];
  }

  #outcomeOf(
    packet: Parameters<typeof replyMessageOf>[0],
    upstream: { secret: Buffer; requestAuthenticator: Buffer },
    downstream: FirstFactorContext['downstream'],
    server: UpstreamServer,
  ): FirstFactorResult {
    switch (packet.code) {
      case Code.AccessAccept: {
        const replyAttributes = downstreamReplyAttributes(packet, upstream, downstream);
        if (!replyAttributes) {
          return { outcome: 'unavailable', reason: `${server.label}: MPPE keys in the Accept do not decrypt (secret mismatch?)` };
        }
        return { outcome: 'accept', groups: [], replyAttributes };
      }
      case Code.AccessReject: {
        const message = replyMessageOf(packet);
        return { outcome: 'reject', reason: message === undefined ? 'rejected by upstream RADIUS' : `rejected by upstream RADIUS: ${message}` };
      }
      case Code.AccessChallenge:
        // An upstream second step (its own OTP) cannot be relayed through our flow.
        return { outcome: 'reject', reason: 'upstream RADIUS sent Access-Challenge, which is not proxied' };
      default:
        return { outcome: 'unavailable', reason: `${server.label}: unexpected reply code ${packet.code}` };
    }
  }
}
