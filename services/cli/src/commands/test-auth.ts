// `radius-mfa test-auth`: a real RADIUS client and the project's reference client. Sends
// Access-Requests with Message-Authenticator, answers Access-Challenges, prints each exchange.
import { Option } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { Prompts } from '@radius-mfa/mfa-worker';
import { Attr, Code, findAttribute, hidePassword, textAttribute, octetsAttribute, type RadiusAttribute } from '@radius-mfa/radius-protocol';
import { CliUsageError, ExitCode, type Cli, type RegisterCommand } from '../cli.js';
import { describePacket, type DescribedPacket } from '../describe-packet.js';
import { promptLine } from '../prompt-line.js';
import { RadiusClientError, createRadiusClient, parseServerAddress, type RadiusClient } from '../radius-client.js';

/** RFC 2865 §5.1 limits the password to 128 octets; a longer answer is a usage error, not a request. */
const MAX_PASSWORD = 128;
/** How often --wait-push presses Enter for you: each press is one request, answered at once. */
const APPROVAL_POLL_MS = 2_000;

export interface TestAuthOptions {
  readonly server: string;
  readonly secret: string;
  readonly user: string;
  readonly password: string;
  readonly respond: readonly string[];
  readonly callingStationId?: string;
  readonly nasIdentifier: string;
  readonly timeoutSeconds: number;
  readonly retries: number;
  /** Answers a push or call approval challenge with an empty response (Enter) until this many seconds pass; 0 = off. */
  readonly waitPushSeconds: number;
  readonly json: boolean;
}

export type TestAuthResult = 'accept' | 'reject' | 'no-answer' | 'unanswered-challenge' | 'error';

interface ExchangeRecord {
  readonly request: { readonly identifier: number; readonly userName: string; readonly state?: string; readonly attempts: number };
  readonly response: DescribedPacket;
}

function exitCodeOf(result: TestAuthResult): ExitCode {
  if (result === 'accept') return ExitCode.ok;
  if (result === 'reject') return ExitCode.rejected;
  return ExitCode.error;
}

function printExchange(cli: Cli, record: ExchangeRecord, server: string): void {
  const out = cli.io.stdout;
  const state = record.request.state === undefined ? '' : `, State 0x${record.request.state}`;
  const retries = record.request.attempts > 1 ? ` (${record.request.attempts} sends)` : '';
  out.write(`-> Access-Request id ${record.request.identifier} to ${server}: User-Name "${record.request.userName}"${state}${retries}\n`);
  out.write(`<- ${record.response.codeName} (code ${record.response.code}) id ${record.response.identifier}, Response Authenticator and Message-Authenticator (first) verified\n`);
  if (record.response.replyMessage !== undefined) out.write(`   Reply-Message: ${JSON.stringify(record.response.replyMessage)}\n`);
  for (const attribute of record.response.attributes) {
    if (attribute.type === Attr.ReplyMessage || attribute.type === Attr.MessageAuthenticator) continue;
    out.write(`   ${attribute.name}: ${attribute.value}\n`);
  }
}

/** The answer to a challenge: the next --respond value, or on a terminal what the person types. */
async function nextAnswer(cli: Cli, pending: string[], replyMessage: string | undefined): Promise<string | undefined> {
  const given = pending.shift();
  if (given !== undefined) return given;
  if (!cli.io.stdin.isTTY) return undefined;
  return promptLine(cli.io, `${replyMessage ?? 'The server asks for a response'}\n> `);
}

/**
 * radius-mfa's own "approve on your phone (or call), then press Enter" prompts: the only challenges
 * --wait-push answers, so an empty answer never lands on a code prompt (where it would count as wrong).
 */
export function isApprovalPrompt(replyMessage: string | undefined): boolean {
  if (replyMessage === undefined) return false;
  const shown = /\b(\d{2})\b/.exec(replyMessage)?.[1];
  const number = shown === undefined ? undefined : Number(shown);
  return [Prompts.approvePush(number), Prompts.stillWaiting(number), Prompts.answerCall, Prompts.stillWaitingCall].includes(replyMessage);
}

/** A wrong secret or address gets no answer at all (RFC 2865 §3: silently discarded): where to look instead. */
export function noAnswerHints(server: string): string[] {
  return [
    `Nothing came back from ${server}. A RADIUS server drops a request it cannot verify without answering, so the likely causes are:`,
    '  - the shared secret (--secret) differs from the secret of the client entry that matches this host: radius-mfa counts these',
    '    as radius_packets_dropped_total{reason="bad_message_authenticator"}',
    '  - this host\'s address is in no client entry (reason="unknown_client"), or --server names the wrong address or port',
    '  - nothing listens there, or a firewall drops UDP on the way',
    'Where to look: radius_packets_dropped_total on each ingress\'s metrics (ops.listen, e.g. curl -s http://HOST:9100/metrics | grep dropped),',
    'and `radius-mfa doctor --config FILE` on the server (its clients, secrets and Redis).',
  ];
}

function requestAttributes(options: TestAuthOptions, password: string, authenticator: Buffer, secret: Buffer, state: Buffer | undefined): RadiusAttribute[] {
  const passwordBytes = Buffer.from(password, 'utf8');
  if (passwordBytes.length > MAX_PASSWORD) throw new CliUsageError(`a password or response longer than ${MAX_PASSWORD} bytes cannot be sent (RFC 2865 §5.2)`);
  return [
    textAttribute(Attr.UserName, options.user),
    { type: Attr.UserPassword, value: hidePassword(passwordBytes, secret, authenticator) },
    textAttribute(Attr.NASIdentifier, options.nasIdentifier),
    ...(options.callingStationId !== undefined ? [textAttribute(Attr.CallingStationId, options.callingStationId)] : []),
    // RFC 2865 §5.24: the State of an Access-Challenge is sent back unmodified.
    ...(state !== undefined ? [octetsAttribute(Attr.State, state)] : []),
  ];
}

/**
 * Runs the whole conversation. User-Password is hidden with the Request Authenticator, so each
 * request gets its authenticator first and its attributes built around it.
 */
export async function runTestAuth(cli: Cli, options: TestAuthOptions): Promise<{ result: TestAuthResult; exchanges: ExchangeRecord[]; error?: string; hints?: string[] }> {
  const server = parseServerAddress(options.server);
  const secret = Buffer.from(options.secret, 'utf8');
  const onResend = options.json ? undefined : (attempt: number, of: number): void => void cli.io.stderr.write(`   no reply within ${options.timeoutSeconds} s; sending again (${attempt} of ${of})\n`);
  const client: RadiusClient = await createRadiusClient({ server, secret, timeoutMs: options.timeoutSeconds * 1000, retries: options.retries, ...(onResend && { onResend }) });
  const exchanges: ExchangeRecord[] = [];
  const pending = [...options.respond];
  const printable = `${server.host}:${server.port}`;
  try {
    let password = options.password;
    let state: Buffer | undefined;
    let approvalDeadline: number | undefined;
    let polling = false;
    // Each challenge needs one answer; a server that challenges forever is cut off here (--wait-push polls aside).
    for (let round = 0; round < 10; ) {
      const exchange = await client.exchange(Code.AccessRequest, (authenticator) => requestAttributes(options, password, authenticator, secret, state));
      const record: ExchangeRecord = {
        request: { identifier: exchange.request.identifier, userName: options.user, ...(state && { state: state.toString('hex') }), attempts: exchange.attempts },
        response: describePacket(exchange.response),
      };
      // While polling, the same "Still waiting" challenge is printed once, not every 2 s.
      const repeated = polling && exchange.response.code === Code.AccessChallenge && record.response.replyMessage === exchanges.at(-1)?.response.replyMessage;
      exchanges.push(record);
      if (!options.json && !repeated) printExchange(cli, record, printable);
      if (exchange.response.code === Code.AccessAccept) return { result: 'accept', exchanges };
      if (exchange.response.code !== Code.AccessChallenge) return { result: 'reject', exchanges };
      state = findAttribute(exchange.response, Attr.State);
      let answer = await nextAnswer(cli, pending, record.response.replyMessage);
      polling = answer === undefined && options.waitPushSeconds > 0 && isApprovalPrompt(record.response.replyMessage);
      if (polling) {
        if (approvalDeadline === undefined) {
          approvalDeadline = Date.now() + options.waitPushSeconds * 1000;
          if (!options.json) cli.io.stdout.write(`   waiting up to ${options.waitPushSeconds} s for the approval, pressing Enter every ${APPROVAL_POLL_MS / 1000} s (--wait-push)\n`);
        }
        const left = approvalDeadline - Date.now();
        if (left <= 0) return { result: 'unanswered-challenge', exchanges, error: `not approved within ${options.waitPushSeconds} s (--wait-push)` };
        await sleep(Math.min(APPROVAL_POLL_MS, left));
        answer = '';
      } else round++;
      if (answer === undefined) {
        const hint = options.waitPushSeconds > 0 ? ' (--wait-push answers only a push or call approval prompt)' : isApprovalPrompt(record.response.replyMessage) ? '; to wait for a push approval unattended, add --wait-push SECONDS' : '';
        return { result: 'unanswered-challenge', exchanges, error: `Access-Challenge with no --respond left to answer it${hint}` };
      }
      password = answer;
    }
    return { result: 'error', exchanges, error: 'more than 10 challenges in a row' };
  } catch (error) {
    if (!(error instanceof RadiusClientError)) throw error;
    const why = error.rejectedReplies.length > 0 ? `; replies were discarded: ${error.rejectedReplies.at(-1)} (is the secret right?)` : '';
    const silent = error.reason === 'timeout' && error.rejectedReplies.length === 0;
    return { result: error.reason === 'timeout' ? 'no-answer' : 'error', exchanges, error: `${error.message}${why}`, ...(silent && { hints: noAnswerHints(printable) }) };
  } finally {
    await client.close();
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new CliUsageError(`${name} must be a number ≥ 0, not "${value}"`);
    return n;
  };
}

export const registerTestAuthCommand: RegisterCommand = (program, cli) => {
  program
    .command('test-auth')
    .description('a real RADIUS exchange: Access-Request, answers each Access-Challenge, prints every reply')
    .requiredOption('-s, --server <host:port>', 'the RADIUS server (port 1812 when left out)')
    .requiredOption('--secret <secret>', 'the shared secret of this client')
    .requiredOption('-u, --user <name>', 'User-Name')
    .option('-p, --password <password>', 'User-Password of the first request', '')
    .option('-r, --respond <text>', 'answer to the next Access-Challenge (repeatable); on a terminal, asked for when missing', collect, [])
    .option('--calling-station-id <id>', 'Calling-Station-Id to send (the client IP or MAC a NAS would send)')
    .option('--nas-identifier <id>', 'NAS-Identifier to send', 'radius-mfa-test-auth')
    .addOption(new Option('--timeout <seconds>', 'wait this long for each reply before resending').default(10).argParser(positiveNumber('--timeout')))
    .addOption(new Option('--retries <n>', 'resends of an unanswered request (same Identifier, RFC 5080)').default(5).argParser(positiveNumber('--retries')))
    .addOption(
      new Option('--wait-push <seconds>', 'unattended push: at a push (or call) approval prompt with no --respond left, press Enter every 2 s until it is approved, denied or SECONDS pass')
        .default(0)
        .argParser(positiveNumber('--wait-push')),
    )
    .option('--json', 'print { result, exchanges } as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Every request carries Message-Authenticator; every reply must lead with a valid one and a valid',
        'Response Authenticator (BlastRADIUS, RFC 3579 §3.2), or it is discarded.',
        'A request that gets no answer at all usually has the wrong secret or comes from an address no client',
        'entry matches: radius-mfa drops those silently (radius_packets_dropped_total on the ingress\'s /metrics).',
        'Push without a terminal: --wait-push SECONDS answers the approval prompt for you until the tap (the',
        'number to enter is in the printed Reply-Message); --respond answers come first (a menu choice, say).',
        'Exit status: 0 Access-Accept, 1 Access-Reject, 2 no answer, an unanswered challenge or an error.',
        '',
        'Examples:',
        '  radius-mfa test-auth --server 127.0.0.1:1812 --secret s3cret --user alice --password pw',
        '  radius-mfa test-auth -s 127.0.0.1 --secret s3cret -u alice -p pw --respond 123456 --json',
        '  radius-mfa test-auth -s 127.0.0.1 --secret s3cret -u bob -p pw --wait-push 120    # approve on the phone meanwhile',
      ].join('\n'),
    )
    .action(async (raw: Omit<TestAuthOptions, 'json' | 'timeoutSeconds' | 'waitPushSeconds'> & { json?: boolean; timeout: number; waitPush: number }) => {
      const options: TestAuthOptions = { ...raw, json: raw.json === true, timeoutSeconds: raw.timeout, waitPushSeconds: raw.waitPush };
      const outcome = await runTestAuth(cli, options);
      if (options.json) {
        cli.io.stdout.write(`${JSON.stringify({ result: outcome.result, ...(outcome.error !== undefined && { error: outcome.error }), ...(outcome.hints && { hints: outcome.hints }), exchanges: outcome.exchanges }, null, 2)}\n`);
      } else {
        if (outcome.error !== undefined) cli.io.stderr.write(`test-auth: ${outcome.error}\n`);
        for (const line of outcome.hints ?? []) cli.io.stderr.write(`${line}\n`);
        cli.io.stdout.write(`result: ${outcome.result}\n`);
      }
      cli.setExitCode(exitCodeOf(outcome.result));
    });
};
