// api.trustProxy: who may name the client in X-Forwarded-For, which keys the results-api rate limits.
import type { Config } from './schema.js';
import type { CheckFindings } from './cross-checks.js';
import { InvalidAddressError, parseCidr } from './cidr.js';

/** Names @fastify/proxy-addr expands to address blocks (loopback, link-local, private). */
export const TRUST_PROXY_NAMES: readonly string[] = ['loopback', 'linklocal', 'uniquelocal'];

function isLoopbackListen(listen: string): boolean {
  const host = new URL(listen).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}

/** Bad entries are errors (fastify would refuse them at start-up); settings a client can exploit are warnings. */
export function checkTrustProxy(config: Config, found: CheckFindings): void {
  const { trustProxy, publicUrl, listen } = config.api;
  if (Array.isArray(trustProxy)) {
    trustProxy.forEach((entry, i) => {
      if (TRUST_PROXY_NAMES.includes(entry)) return;
      try {
        parseCidr(entry);
      } catch (error) {
        if (!(error instanceof InvalidAddressError)) throw error;
        // A bare number here was a hop count: fastify 5 trusts no hop count (a direct client could spoof one).
        const hops = /^\d+$/.test(entry);
        found.errors.push({
          path: `api.trustProxy[${i}]`,
          message: hops
            ? `is a hop count (${entry}): not supported, since it cannot tell a proxy from a client that connects directly`
            : `"${entry}" is not an IP address, CIDR block or one of ${TRUST_PROXY_NAMES.join(', ')} (${error.message})`,
          fix: 'list the addresses or CIDR blocks of your reverse proxies, e.g. the ingress controller\'s pod network 10.244.0.0/16',
        });
      }
    });
  } else if (trustProxy === true) {
    found.warnings.push({
      path: 'api.trustProxy',
      message: 'is true: X-Forwarded-For is believed from any hop, so every client chooses the address its rate limits are counted under',
      fix: 'list the addresses or CIDR blocks of the proxies in front of the API instead, e.g. [10.244.0.0/16]',
    });
  } else if (trustProxy === false && publicUrl?.startsWith('https://') && !isLoopbackListen(listen)) {
    // The API itself speaks only HTTP: an https publicUrl means a TLS-terminating proxy in front.
    found.warnings.push({
      path: 'api.trustProxy',
      message: 'is false while api.publicUrl is https: behind a TLS-terminating proxy every phone shares the proxy\'s address and one client\'s wrong links can rate-limit all of them',
      fix: 'list the addresses or CIDR blocks of the proxies in front of the API, e.g. the ingress controller\'s pod network [10.244.0.0/16] (the Helm chart: results.httpIngress.trustedProxyCIDRs)',
    });
  }
}
