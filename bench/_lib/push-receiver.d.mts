import type { ServerResponse } from 'node:http';

export interface ReceivedPush {
  user: string;
  approveUrl: string;
  denyUrl: string;
}
export function startPushReceiver(options?: { hold?: boolean }): Promise<{
  url: string;
  pushes: ReceivedPush[];
  held: ServerResponse[];
  waitFor(count: number): Promise<void>;
  release(): void;
  close(): Promise<void>;
}>;
