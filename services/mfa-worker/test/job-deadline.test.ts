// The job's deadline as a signal: aborts at the deadline or with the worker, and is released with the job.
import { describe, expect, it } from 'vitest';
import { withDeadline } from '@radius-mfa/mfa-worker';

const aborted = (signal: AbortSignal): Promise<unknown> => new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));

describe('withDeadline', () => {
  it('aborts the work at the job deadline with a TimeoutError', async () => {
    const reason = await withDeadline({ deadline: Date.now() + 20 }, undefined, aborted);
    expect(reason).toBeInstanceOf(DOMException);
    expect((reason as DOMException).name).toBe('TimeoutError');
  });

  it('aborts the work when the worker aborts it (outer signal), already aborted or later', async () => {
    const outer = new AbortController();
    const far = { deadline: Date.now() + 60_000 };
    const pending = withDeadline(far, outer.signal, aborted);
    outer.abort(new Error('closing'));
    expect(await pending).toEqual(new Error('closing'));
    expect(await withDeadline(far, outer.signal, async (signal) => signal.aborted)).toBe(true);
  });

  it('releases the timer and the listener when the job ends: no abort after it, none from a later outer abort', async () => {
    const outer = new AbortController();
    let seen: AbortSignal | undefined;
    await withDeadline({ deadline: Date.now() + 20 }, outer.signal, async (signal) => {
      seen = signal;
    });
    await new Promise((resolve) => setTimeout(resolve, 60));
    outer.abort();
    expect(seen?.aborted).toBe(false);
  });
});
