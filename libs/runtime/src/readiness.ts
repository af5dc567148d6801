/** A readiness check: resolves true when ready; false or a throw means not ready. */
export type ReadinessCheck = () => Promise<boolean> | boolean;

export interface ReadinessResult {
  ready: boolean;
  draining: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

export interface ReadinessRegistry {
  add(name: string, check: ReadinessCheck): void;
  /** Shutdown has begun: report not ready first, so load balancers stop sending. */
  setDraining(): void;
  readonly draining: boolean;
  evaluate(timeoutMs?: number): Promise<ReadinessResult>;
}

export class ReadinessTimeoutError extends Error {
  readonly code = 'READINESS_TIMEOUT';
  constructor(name: string, timeoutMs: number) {
    super(`readiness check ${name} did not answer within ${timeoutMs} ms`);
    this.name = 'ReadinessTimeoutError';
  }
}

export function createReadinessRegistry(): ReadinessRegistry {
  const checks = new Map<string, ReadinessCheck>();
  let draining = false;
  return {
    add(name, check) {
      if (checks.has(name)) throw new Error(`readiness check ${name} is already registered`);
      checks.set(name, check);
    },
    setDraining() {
      draining = true;
    },
    get draining() {
      return draining;
    },
    async evaluate(timeoutMs = 2_000) {
      const entries = await Promise.all(
        [...checks].map(async ([name, check]): Promise<[string, { ok: boolean; error?: string }]> => {
          let timer: NodeJS.Timeout | undefined;
          try {
            const ok = await Promise.race([
              Promise.resolve().then(check),
              new Promise<never>((_, reject) => {
                timer = setTimeout(() => reject(new ReadinessTimeoutError(name, timeoutMs)), timeoutMs);
              }),
            ]);
            return [name, ok ? { ok: true } : { ok: false, error: 'check returned false' }];
          } catch (error) {
            return [name, { ok: false, error: error instanceof Error ? error.message : String(error) }];
          } finally {
            clearTimeout(timer);
          }
        }),
      );
      const result = Object.fromEntries(entries);
      return { ready: !draining && entries.every(([, r]) => r.ok), draining, checks: result };
    },
  };
}

/**
 * Adds a check that fails with `starting: <names>` until the returned function is called: the ops
 * server answers before the roles have bound their sockets, and a load balancer must not route to
 * a socket that is not open yet.
 */
export function addStartupGate(readiness: ReadinessRegistry, names: readonly string[]): () => void {
  let started = false;
  readiness.add('roles', () => {
    if (!started) throw new Error(`starting: ${names.join(', ')}`);
    return true;
  });
  return () => {
    started = true;
  };
}
