import { ContractError } from './jobs.js';

/**
 * A response on its way to an ingress: the transaction id and the exact signed bytes to send.
 * Wire form on the ingress channel: 1 byte txn length, txn (ASCII), response bytes.
 */
export interface DeliveryMessage {
  readonly txn: string;
  readonly response: Buffer;
}

export function encodeDelivery(message: DeliveryMessage): Buffer {
  const txn = Buffer.from(message.txn, 'ascii');
  if (txn.length === 0 || txn.length > 255) throw new ContractError('delivery', 'txn must be 1..255 ASCII bytes');
  return Buffer.concat([Buffer.of(txn.length), txn, message.response]);
}

export function decodeDelivery(wire: Buffer): DeliveryMessage {
  const length = wire[0];
  if (length === undefined || length === 0 || wire.length < 1 + length + 20) {
    throw new ContractError('delivery', 'message too short');
  }
  return { txn: wire.subarray(1, 1 + length).toString('ascii'), response: wire.subarray(1 + length) };
}
