/**
 * Why a directory could not be used at all. An authentication that simply fails
 * (wrong password, unknown user) is a `reject` outcome, never an error.
 * - `config`: the provider was given options it cannot work with (found at start-up).
 * - `unavailable`: the backend could not be reached or refused the service account.
 * - `protocol`: the backend answered something that breaks its protocol.
 */
export type DirectoryErrorCode = 'config' | 'unavailable' | 'protocol';

export class DirectoryError extends Error {
  readonly code: DirectoryErrorCode;

  constructor(code: DirectoryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DirectoryError';
    this.code = code;
  }
}
