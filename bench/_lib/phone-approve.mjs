// Approving pushes as phones would. The results-api limits requests per link token and charges
// only unknown tokens to the client address, so many approvals from one address (this process)
// are never refused: no X-Forwarded-For, and no api.trustProxy, is needed.

/** POSTs an approval (or denial, `{ deny: true }`) for a received push; resolves with the status. */
export async function answerPush(push, { deny = false, number } = {}) {
  const response = await fetch(deny ? push.denyUrl : push.approveUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(number === undefined ? {} : { number }),
  });
  await response.arrayBuffer();
  return response.status;
}
