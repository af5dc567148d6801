// The only state an ingress keeps: transactions it holds a request for, where to send the
// answer, and when to give up. Everything that must outlive the pod is in Redis.
import type { RadiusPacket } from '@radius-mfa/radius-protocol';
import type { ResolvedClient } from './client-table.js';

/** Where a response goes: a UDP source (socket, address, port) or a RadSec connection. */
export interface ReplyTarget {
  /** Names the return path, so one path gets one copy of the answer however often the NAS resent. */
  readonly key: string;
  send(response: Buffer): void;
}

export interface PendingEntry {
  readonly txn: string;
  readonly client: ResolvedClient;
  /** The first copy of the request this ingress received (its buffer is not reused). */
  readonly request: RadiusPacket;
  /** performance.now() of the first local receipt, for radius_request_duration_seconds. */
  readonly receivedAt: number;
  readonly targets: Map<string, ReplyTarget>;
  timer: NodeJS.Timeout | undefined;
}

export interface PendingOptions {
  /** radius.maxPendingPerPod: beyond it new transactions are dropped (the NAS retries elsewhere). */
  readonly limit: number;
  /** A transaction's deadline passed with no answer. */
  readonly onDeadline: (entry: PendingEntry) => void;
  /** After `response` went to every target of `entry`. */
  readonly onAnswered: (entry: PendingEntry, response: Buffer, sent: number) => void;
  /** The count changed (radius_pending_transactions). */
  readonly onSizeChange?: (size: number) => void;
}

export class PendingTransactions {
  private readonly entries = new Map<string, PendingEntry>();
  private drainWaiters: (() => void)[] = [];

  constructor(private readonly options: PendingOptions) {}

  get size(): number {
    return this.entries.size;
  }

  get full(): boolean {
    return this.entries.size >= this.options.limit;
  }

  get(txn: string): PendingEntry | undefined {
    return this.entries.get(txn);
  }

  /** Holds a new transaction with its first reply target. The caller checked `full` and `get` first. */
  add(txn: string, client: ResolvedClient, request: RadiusPacket, target: ReplyTarget, receivedAt: number): PendingEntry {
    const entry: PendingEntry = { txn, client, request, receivedAt, targets: new Map([[target.key, target]]), timer: undefined };
    this.entries.set(txn, entry);
    this.options.onSizeChange?.(this.entries.size);
    return entry;
  }

  /** A retransmission: remember its return path too (another socket or source may be used). */
  join(entry: PendingEntry, target: ReplyTarget): void {
    if (!entry.targets.has(target.key)) entry.targets.set(target.key, target);
  }

  /** Arms (or re-arms) the deadline of a transaction still held. */
  scheduleDeadline(entry: PendingEntry, atEpochMs: number): void {
    if (this.entries.get(entry.txn) !== entry) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (this.entries.get(entry.txn) === entry) this.options.onDeadline(entry);
    }, Math.max(0, atEpochMs - Date.now()));
  }

  /** Sends `response` to every target of `txn` and forgets it. Undefined when this ingress does not hold it. */
  answer(txn: string, response: Buffer): PendingEntry | undefined {
    const entry = this.entries.get(txn);
    if (!entry) return undefined;
    this.forget(entry);
    let sent = 0;
    for (const target of entry.targets.values()) {
      target.send(response);
      sent++;
    }
    this.options.onAnswered(entry, response, sent);
    return entry;
  }

  /** Drops a transaction without an answer (its admission failed). */
  forget(entry: PendingEntry): void {
    if (this.entries.get(entry.txn) !== entry) return;
    clearTimeout(entry.timer);
    this.entries.delete(entry.txn);
    this.options.onSizeChange?.(this.entries.size);
    if (this.entries.size === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Resolves once no transaction is held (graceful shutdown). */
  drained(): Promise<void> {
    if (this.entries.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Shutdown past its bound: stop every timer. */
  clear(): void {
    for (const entry of [...this.entries.values()]) this.forget(entry);
  }
}
