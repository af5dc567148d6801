/** A readiness check: resolves true when ready; false or a throw means not ready. */
export type ReadinessCheck = () => Promise<boolean> | boolean;

/** One check's outcome, and how long it took on its own (the checks run concurrently). */
export interface ReadinessCheckResult {
  ok: boolean;
  error?: string;
  seconds: number;
}

export interface ReadinessResult {
  ready: boolean;
  draining: boolean;
  checks: Record<string, ReadinessCheckResult>;
}

export interface ReadinessRegistry {
  /** `name` is a constant of the code (`redis`, `ingress-sockets`): it is a metric label value. */
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

/** What a check's name may be: it becomes the `check` label of radius_mfa_readiness_duration_seconds. */
const READINESS_CHECK_NAME = /^[a-z][a-z0-9-]{0,31}$/;

export function createReadinessRegistry(): ReadinessRegistry {
  const checks = new Map<string, ReadinessCheck>();
  let draining = false;
  return {
    add(name, check) {
      // A label value and a JSON key an operator reads: a fixed, short, lower-case name.
      if (!READINESS_CHECK_NAME.test(name)) throw new Error(`readiness check name ${JSON.stringify(name)} must match ${READINESS_CHECK_NAME} (a constant of the code, never data)`);
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
        [...checks].map(async ([name, check]): Promise<[string, ReadinessCheckResult]> => {
          let timer: NodeJS.Timeout | undefined;
          let started = process.hrtime.bigint();
          const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
          try {
            const ok = await Promise.race([
              // The clock starts when this check is called, not when an earlier one was.
              Promise.resolve().then(() => {
                started = process.hrtime.bigint();
                return check();
              }),
              new Promise<never>((_, reject) => {
                timer = setTimeout(() => reject(new ReadinessTimeoutError(name, timeoutMs)), timeoutMs);
              }),
            ]);
            return [name, ok ? { ok: true, seconds: seconds() } : { ok: false, error: 'check returned false', seconds: seconds() }];
          } catch (error) {
            return [name, { ok: false, error: error instanceof Error ? error.message : String(error), seconds: seconds() }];
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
