// A light push webhook for load and fault tests: keeps only what answering a push needs (user,
// approve and deny URLs), and can hold its answers (a phone service that does not respond yet).
import { createServer } from 'node:http';

/** Starts the receiver on 127.0.0.1. `waitFor(n)` resolves once `n` pushes arrived. */
export async function startPushReceiver({ hold = false } = {}) {
  const pushes = [];
  const held = [];
  let holding = hold;
  let waiters = [];
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const { user, approveUrl, denyUrl } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      pushes.push({ user, approveUrl, denyUrl });
      waiters = waiters.filter((w) => (pushes.length >= w.count ? (w.resolve(), false) : true));
      if (holding) held.push(response);
      else response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/push`,
    pushes,
    held,
    waitFor: (count) => (pushes.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    /** Stops holding: held requests are dropped (their senders may be gone), new ones answered. */
    release() {
      holding = false;
      for (const response of held.splice(0)) response.destroy();
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
