// The one place that maps a role name to its starter.
import type { RoleName, RoleStarter } from '@radius-mfa/runtime';
import { startIngress } from '@radius-mfa/radius-ingress';
import { createResultsStarter, startResults } from '@radius-mfa/results-api';
import { createWorkerStarter, startWorker } from '@radius-mfa/mfa-worker';
import type { SharedPieces } from './shared-pieces.js';

export const ROLE_STARTERS: Readonly<Record<RoleName, RoleStarter>> = {
  ingress: startIngress,
  worker: startWorker,
  results: startResults,
};

/** The starter of a role; with `shared`, worker and results-api use the process's shared pieces. */
export function roleStarter(role: RoleName, shared?: Omit<SharedPieces, 'close'>): RoleStarter {
  const starter = ROLE_STARTERS[role];
  if (!shared) return starter;
  const { entraConnection, voiceApprover } = shared;
  if (role === 'worker') return createWorkerStarter({ ...(entraConnection && { entraConnection }), ...(voiceApprover && { voiceApprover }) });
  if (role === 'results') return createResultsStarter(voiceApprover ? { voice: voiceApprover } : {});
  return starter;
}
