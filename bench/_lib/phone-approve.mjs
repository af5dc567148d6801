// Approving pushes as many phones would: each from its own address. The results-api limits
// requests per client address; with `api.trustProxy` it reads that address from
// X-Forwarded-For, as behind the reverse proxy of a real deployment.
import { randomBytes } from 'node:crypto';

function randomAddress() {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

/** POSTs an approval (or denial, `{ deny: true }`) for a received push; resolves with the status. */
export async function answerPush(push, { deny = false, number } = {}) {
  const response = await fetch(deny ? push.denyUrl : push.approveUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': randomAddress() },
    body: JSON.stringify(number === undefined ? {} : { number }),
  });
  await response.arrayBuffer();
  return response.status;
}
