// Counts a socket's writes as Node's stream hands them to the OS: `_write` one chunk, `_writev` many.
import type { Redis } from 'ioredis';

interface StreamInternals {
  _write: (...args: unknown[]) => void;
  _writev: (...args: unknown[]) => void;
}

/** The connection's current socket's writes from now on. */
export function countWrites(redis: Redis): { writes: number; writevs: number } {
  const socket = (redis as unknown as { stream: StreamInternals }).stream;
  const counts = { writes: 0, writevs: 0 };
  const write = socket._write.bind(socket);
  const writev = socket._writev.bind(socket);
  socket._write = (...args: unknown[]) => {
    counts.writes++;
    write(...args);
  };
  socket._writev = (...args: unknown[]) => {
    counts.writevs++;
    writev(...args);
  };
  return counts;
}
