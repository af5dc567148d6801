// Container HEALTHCHECK: exit 0 when the ops server answers /healthz with 2xx, 1 otherwise.
// Plain Node (no curl in the slim image). Liveness only: readiness (/readyz) also depends on
// Redis, and an unhealthy mark would make Docker restart a process that is merely waiting.
const port = process.env.RADIUS_MFA_OPS_PORT ?? '9100';
const url = `http://127.0.0.1:${port}/healthz`;
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exitCode = response.ok ? 0 : 1;
} catch (error) {
  process.stderr.write(`healthcheck: ${url}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
