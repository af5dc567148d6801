// UDP sockets of `radius.listen` / `radius.accountingListen` (RFC 2865 §3, RFC 2866 §3).
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { Endpoint } from '@radius-mfa/config';
import type { ReplyTarget } from './pending.js';

export interface UdpDatagram {
  readonly data: Buffer;
  readonly address: string;
  readonly port: number;
  readonly target: ReplyTarget;
}

export interface UdpListenerOptions {
  readonly endpoint: Endpoint;
  /** SO_RCVBUF: a burst of requests waits in the kernel instead of being lost. */
  readonly receiveBufferBytes: number;
  readonly onDatagram: (datagram: UdpDatagram) => void;
  readonly onError: (error: Error) => void;
}

export interface UdpListener {
  readonly address: AddressInfo;
  /** SO_RCVBUF as the kernel granted it (Linux doubles the request, capped by net.core.rmem_max). */
  readonly receiveBufferBytes: number;
  close(): Promise<void>;
}

function replyTarget(socket: Socket, localPort: number, address: string, port: number, onError: (error: Error) => void): ReplyTarget {
  return {
    key: `udp:${localPort}:${address}:${port}`,
    send(response) {
      try {
        socket.send(response, port, address, (error) => {
          if (error) onError(error);
        });
      } catch (error) {
        // The socket closed while a verdict was on its way (shutdown past its bound).
        onError(error as Error);
      }
    },
  };
}

export function startUdpListener(options: UdpListenerOptions): Promise<UdpListener> {
  const { endpoint } = options;
  const v6 = endpoint.host.includes(':');
  // ipv6Only: `udp://[::]:1812` and `udp://0.0.0.0:1812` can both be listed without a clash.
  const socket = createSocket({
    type: v6 ? 'udp6' : 'udp4',
    ipv6Only: v6,
    recvBufferSize: options.receiveBufferBytes,
    sendBufferSize: options.receiveBufferBytes,
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(endpoint.port, endpoint.host, () => {
      socket.off('error', reject);
      socket.on('error', options.onError);
      const address = socket.address();
      socket.on('message', (data, remote) => {
        options.onDatagram({
          data,
          address: remote.address,
          port: remote.port,
          target: replyTarget(socket, address.port, remote.address, remote.port, options.onError),
        });
      });
      let closed: Promise<void> | undefined;
      resolve({
        address,
        receiveBufferBytes: socket.getRecvBufferSize(),
        close() {
          closed ??= new Promise((done) => socket.close(() => done()));
          return closed;
        },
      });
    });
  });
}
