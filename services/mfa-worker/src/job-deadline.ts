// The deadline of one auth job as an AbortSignal, released with the job.

/**
 * Runs `work` with a signal that aborts at the deadline of the job `data` (its `deadline`, epoch
 * ms; 60 s when it has none), bounding every wait inside it (directories, notifiers), or when
 * `outer` aborts. The timer and the listener are released when the job ends: AbortSignal.timeout
 * would keep a timer per job alive for the whole NAS timeout (55 s by default), hundreds of
 * thousands of them under load, all promoted into the old generation.
 */
export async function withDeadline<T>(data: unknown, outer: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const deadline = typeof data === 'object' && data !== null ? Number((data as { deadline?: unknown }).deadline) : NaN;
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('The job reached its deadline', 'TimeoutError')),
    Number.isFinite(deadline) ? Math.max(deadline - Date.now(), 1) : 60_000,
  );
  timer.unref();
  const onOuter = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}
