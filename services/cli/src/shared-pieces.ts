// What the roles of one process share, built once by the composition root: the Entra connection
// (one token cache, one Graph cache, one HTTPS agent) and the ACS voice approver that the worker
// dials with and results-api takes callbacks for.
import type { Config } from '@radius-mfa/config';
import { acsVoiceApproverFromConfig, createEntraConnection, entraOptionsFromConfig, type AcsVoiceApprover, type EntraConnection } from '@radius-mfa/directory';

export interface SharedPieces {
  readonly entraConnection?: EntraConnection;
  readonly voiceApprover?: AcsVoiceApprover;
  /** Closes the Entra connection, after the roles that use it have stopped. */
  close(): void;
}

/** Throws EntraError('config' | 'certificate-expired' | ...) when `directories.entra` cannot work. */
export function createSharedPieces(config: Config): SharedPieces {
  const options = entraOptionsFromConfig(config);
  if (!options) return { close: () => undefined };
  const entraConnection = createEntraConnection(options);
  try {
    const voiceApprover = acsVoiceApproverFromConfig(config, entraConnection);
    return { entraConnection, ...(voiceApprover && { voiceApprover }), close: () => entraConnection.close() };
  } catch (error) {
    entraConnection.close();
    throw error;
  }
}
