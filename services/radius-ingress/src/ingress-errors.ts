/** A configuration the ingress cannot start with (normally caught by `config check` first). */
export class IngressConfigError extends Error {
  readonly code = 'INGRESS_CONFIG';
  constructor(
    /** `radsec-without-tls`: a tls:// listen address and no radius.tls. */
    readonly reason: 'radsec-without-tls',
    message: string,
  ) {
    super(message);
    this.name = 'IngressConfigError';
  }
}
