import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

export type Logger = PinoLogger;

/**
 * Paths pino censors wherever they appear (one level of nesting under any key, and at the top).
 * Why so broad: a log line is read by more people than the secret's owner, and kept longer.
 */
const SECRET_KEYS = [
  'password',
  'passwordHash',
  'newPassword',
  'secret',
  'clientSecret',
  'sharedSecret',
  'signingSecret',
  'bindPassword',
  'token',
  'accessToken',
  'refreshToken',
  'adminToken',
  'otp',
  'otpCode',
  'totpCode',
  'smsCode',
  'verificationCode',
  'totp',
  'key',
  'sealingKeys',
  'sealed',
  'authorization',
  'cookie',
  'userPassword',
  'User-Password',
] as const;

export const REDACT_PATHS: readonly string[] = [
  // A bare `code` is a secret only at the top level: nested, it is an error code (`err.code`) worth keeping.
  'code',
  ...SECRET_KEYS.map((k) => `["${k}"]`),
  ...SECRET_KEYS.map((k) => `*["${k}"]`),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'res.headers["set-cookie"]',
];

export interface LoggerOptions {
  level: string;
  /** The role or program name, e.g. `ingress`, `all`, `cli`. */
  name: string;
  instanceId?: string;
  /** Where JSON lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      name: 'radius-mfa',
      base: { role: options.name, instance: options.instanceId ?? null, pid: process.pid },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
