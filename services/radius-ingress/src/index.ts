import type { RoleStarter } from '@radius-mfa/runtime';
import { createIngressStarter } from './start-ingress.js';

export { createIngressStarter, type IngressOptions, type RunningIngress } from './start-ingress.js';
export { IngressConfigError } from './ingress-errors.js';
export { createClientTable, canonicalAddress, type ClientTable, type ResolvedClient } from './client-table.js';
export type { IngressDropReason } from './drop-reasons.js';
export { TIMEOUT_REPLY_MESSAGE } from './deadline.js';

/** The `ingress` role: UDP and RadSec sockets, admission, delivery to the NAS. */
export const startIngress: RoleStarter = createIngressStarter();
