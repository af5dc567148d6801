// Bounds on RadSec TCP connections before TLS runs: how many one source address holds, and an
// absolute deadline for the handshake, so half-open connections cannot keep the slots.
import type { Socket } from 'node:net';
import type { IngressDropReason } from './drop-reasons.js';

export type ConnectionGuardReason = Extract<IngressDropReason, 'radsec_address_limit' | 'radsec_handshake_timeout'>;

export interface ConnectionGuardOptions {
  readonly maxConnectionsPerAddress: number;
  readonly handshakeTimeoutMs: number;
  /** A connection was refused or closed by the guard (counted by the caller). */
  readonly onDrop: (reason: ConnectionGuardReason) => void;
}

export interface ConnectionGuard {
  /** A new TCP connection: false, and the socket destroyed, when its address is at its cap. */
  admit(socket: Socket): boolean;
  /** The TLS handshake of the connection from this address and port completed: its deadline ends. */
  handshakeDone(address: string | undefined, port: number | undefined): void;
  /** Every admitted connection still open, handshaking or not. */
  readonly sockets: ReadonlySet<Socket>;
}

export function createConnectionGuard(options: ConnectionGuardOptions): ConnectionGuard {
  const perAddress = new Map<string, number>();
  // Keyed by address and port: the TLS socket is a different object from the TCP socket it wraps.
  const deadlines = new Map<string, NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  return {
    sockets,
    admit(socket) {
      const address = socket.remoteAddress;
      if (address === undefined) {
        // Already reset by the peer: nothing to serve.
        socket.destroy();
        return false;
      }
      const held = perAddress.get(address) ?? 0;
      if (held >= options.maxConnectionsPerAddress) {
        options.onDrop('radsec_address_limit');
        socket.destroy();
        return false;
      }
      perAddress.set(address, held + 1);
      sockets.add(socket);
      const key = `${address}|${socket.remotePort}`;
      // Absolute, unlike tls.Server's handshakeTimeout (an idle timer a byte at a time resets).
      const deadline = setTimeout(() => {
        options.onDrop('radsec_handshake_timeout');
        socket.destroy();
      }, options.handshakeTimeoutMs);
      deadlines.set(key, deadline);
      socket.on('error', () => socket.destroy());
      socket.once('close', () => {
        clearTimeout(deadline);
        if (deadlines.get(key) === deadline) deadlines.delete(key);
        sockets.delete(socket);
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left > 0) perAddress.set(address, left);
        else perAddress.delete(address);
      });
      return true;
    },
    handshakeDone(address, port) {
      const key = `${address}|${port}`;
      clearTimeout(deadlines.get(key));
      deadlines.delete(key);
    },
  };
}
