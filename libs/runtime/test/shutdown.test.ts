import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, createShutdown, type Logger } from '@radius-mfa/runtime';

function capture(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: 'debug', name: 'test', instanceId: 'test-1', destination });
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createShutdown', () => {
  it('runs the steps in the order they were added', async () => {
    const { logger } = capture();
    const shutdown = createShutdown(logger);
    const order: string[] = [];
    shutdown.add('first', () => void order.push('first'));
    shutdown.add('second', async () => {
      await new Promise((r) => setImmediate(r));
      order.push('second');
    });
    shutdown.add('third', () => void order.push('third'));
    await shutdown.run('test');
    expect(order).toEqual(['first', 'second', 'third']);
  });

  it('a throwing step and a hanging step do not stop the next ones', async () => {
    const { logger, lines } = capture();
    const shutdown = createShutdown(logger);
    const order: string[] = [];
    shutdown.add('throws', () => {
      order.push('throws');
      throw new Error('boom');
    });
    shutdown.add('hangs', () => {
      order.push('hangs');
      return new Promise<void>(() => undefined);
    }, { timeoutMs: 50 });
    shutdown.add('rejects', async () => {
      order.push('rejects');
      throw new Error('nope');
    });
    shutdown.add('last', () => void order.push('last'));
    await shutdown.run('test');
    expect(order).toEqual(['throws', 'hangs', 'rejects', 'last']);
    const failed = lines().filter((l) => l['msg'] === 'shutdown step failed').map((l) => l['step']);
    expect(failed).toEqual(['throws', 'hangs', 'rejects']);
  });

  it('is idempotent: a second run returns the same run and repeats nothing', async () => {
    const { logger } = capture();
    const shutdown = createShutdown(logger);
    let runs = 0;
    shutdown.add('count', () => void runs++);
    const a = shutdown.run('one');
    const b = shutdown.run('two');
    expect(b).toBe(a);
    await Promise.all([a, b]);
    await shutdown.run('three');
    expect(runs).toBe(1);
    expect(shutdown.started).toBe(true);
  });

  it('SIGTERM runs the shutdown through the installed handlers', async () => {
    const { logger } = capture();
    const shutdown = createShutdown(logger);
    let stepRan = false;
    shutdown.add('step', () => void (stepRan = true));
    const done = new Promise<string>((resolve) => {
      const remove = shutdown.installSignalHandlers((reason) => {
        remove();
        resolve(reason);
      });
    });
    process.kill(process.pid, 'SIGTERM');
    expect(await done).toBe('SIGTERM');
    expect(stepRan).toBe(true);
  });
});

describe('createLogger', () => {
  it('censors secret-bearing fields and carries role and instance', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        password: 'pw-cleartext-1',
        code: '123456',
        user: { secret: 'shared-secret-2', otp: '654321', token: 'tok-3', name: 'alice' },
        req: { headers: { authorization: 'Bearer bearer-4', cookie: 'c=cookie-5' } },
        client: { clientSecret: 'entra-6', bindPassword: 'ldap-7' },
        err: { code: 'ECONNREFUSED' },
      },
      'hello',
    );
    const text = JSON.stringify(lines());
    for (const secret of ['pw-cleartext-1', '123456', 'shared-secret-2', '654321', 'tok-3', 'bearer-4', 'cookie-5', 'entra-6', 'ldap-7']) {
      expect(text).not.toContain(secret);
    }
    const line = lines()[0]!;
    expect(line).toMatchObject({ role: 'test', instance: 'test-1', msg: 'hello', password: '[redacted]', user: { name: 'alice' }, err: { code: 'ECONNREFUSED' } });
  });
});
