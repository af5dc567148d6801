import type { RadiusPacket } from '@radius-mfa/radius-protocol';

export type LoginReply = { bytes: Buffer; code: number; packet: RadiusPacket; error?: undefined } | { bytes: Buffer; error: string; code?: undefined; packet?: undefined };

export interface Login {
  readonly user: string;
  readonly datagram: Buffer;
  readonly replies: LoginReply[];
  readonly sends: number;
  send(port: number, host?: string): void;
  nextReply(timeoutMs: number, count?: number): Promise<LoginReply | undefined>;
  untilAnswered(ports: number[], options?: { intervalMs?: number; timeoutMs?: number }): Promise<LoginReply | undefined>;
  close(): Promise<void>;
}
export function openLogin(options: {
  secret: string;
  user: string;
  password: string;
  identifier?: number;
  bindAddress?: string;
  statusServer?: boolean;
  state?: Buffer;
}): Promise<Login>;
