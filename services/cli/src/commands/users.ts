// `radius-mfa users enroll|import|list|unlock`: second-factor enrollments, straight in Redis (no server needed).
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { clearPushLimits, enrollPushFor, type PushLimitWindow, type UserRecord } from '@radius-mfa/mfa';
import { CliUsageError, ExitCode, type Cli, type RegisterCommand } from '../cli.js';
import { reportingCommonErrors } from '../command-errors.js';
import { readConfig } from '../config-file.js';
import { progressBar } from '../progress-bar.js';
import { activePushLimitOf, describeActiveLimit, describeWindow, pushLimitsOf, retryAfterSeconds } from '../push-limit-status.js';
import { isTerminal, terminalQr } from '../qr.js';
import { openUserAdmin, type UserAdmin } from '../user-admin.js';
import { ImportFileError, ImportWriteError, checkImportRows, importGeneratesSecrets, parsePhone, readImportFile, writeImport, type GeneratedSecret, type RefusedRow } from '../user-import.js';

const CONFIG_HELP = 'the YAML config (env RADIUS_MFA_CONFIG): its Redis, key prefix and sealing keys';

async function withUserAdmin(cli: Cli, configOption: string | undefined, work: (admin: UserAdmin) => Promise<ExitCode>): Promise<void> {
  await reportingCommonErrors(cli, async () => {
    const admin = await openUserAdmin(readConfig(cli, configOption).config);
    try {
      return await work(admin);
    } finally {
      await admin.close();
    }
  });
}

function json(cli: Cli, value: unknown): void {
  cli.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The phone shown in listings: enough to recognise it, not enough to call it. */
function maskedPhone(phone: string): string {
  return phone.length <= 4 ? '****' : `${phone.slice(0, 3)}${'*'.repeat(phone.length - 5)}${phone.slice(-2)}`;
}

function userSummary(user: UserRecord, now: number, pushLimit: PushLimitWindow | undefined, admin: UserAdmin): Record<string, unknown> {
  return {
    name: user.name,
    totp: user.totp ? (user.totp.confirmed ? 'confirmed' : 'enrolled, not yet used') : 'no',
    push: user.push ? 'yes' : 'no',
    phone: user.phone === undefined ? 'no' : maskedPhone(user.phone),
    locked: user.fraudLockedAt !== undefined ? 'fraud report' : user.lockedUntil !== undefined && user.lockedUntil > now ? `until ${new Date(user.lockedUntil).toISOString()}` : 'no',
    // Not a lock, but the same symptom at sign-in ("Too many sign-in requests"), so it is shown beside one.
    pushLimit: pushLimit === undefined ? 'no' : describeActiveLimit(pushLimit, pushLimitsOf(admin.config)),
  };
}

function registerEnroll(users: Command, cli: Cli): void {
  users
    .command('enroll')
    .description('enroll a user for TOTP (prints the secret, the otpauth:// URI and, on a terminal, a QR code), push or SMS')
    .argument('<name>', 'the user name (normalised like at sign-in)')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--totp', 'enroll (or re-enroll) TOTP')
    .option('--secret <base32>', 'with --totp: use this secret (a hardware token\'s) instead of a new random one')
    .option('--push', 'enroll for push approvals')
    .option('--phone <e164>', 'set the phone number for SMS codes, e.g. +4915123456789')
    .option('--qr', 'draw the QR code even when stdout is not a terminal')
    .option('--json', 'print { user, totp?: { secret, otpauthUri }, push, phone } as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Works from the config alone: no radius-mfa server needs to run, only its Redis.',
        'Exit status: 0 enrolled, 1 invalid config, 2 usage error or Redis unreachable.',
        '',
        'Examples:',
        '  radius-mfa users enroll alice --totp --config /etc/radius-mfa/config.yaml',
        '  radius-mfa users enroll bob --totp --secret JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP --phone +4915123456789 -c config.yaml',
      ].join('\n'),
    )
    .action(async (name: string, options: { config?: string; totp?: boolean; secret?: string; push?: boolean; phone?: string; qr?: boolean; json?: boolean }) => {
      if (!options.totp && !options.push && options.phone === undefined) throw new CliUsageError('say what to enroll: --totp, --push and/or --phone NUMBER');
      if (options.secret !== undefined && !options.totp) throw new CliUsageError('--secret goes with --totp');
      const phone = options.phone === undefined ? undefined : parsePhone(options.phone);
      if (options.phone !== undefined && phone === undefined) throw new CliUsageError(`--phone "${options.phone}" is not an E.164 number (+ and 7 to 15 digits)`);
      await withUserAdmin(cli, options.config, async (admin) => {
        const user = admin.normalize(name);
        if (user === '') throw new CliUsageError('the user name is empty');
        const totp = options.totp ? await admin.users.enrollTotp(user, options.secret === undefined ? {} : { secret: options.secret.replace(/\s/g, '').toUpperCase(), confirmed: true }) : undefined;
        const pushed = options.push ? await enrollPushFor(admin.users, user, admin.config.mfa.push?.notifier) : undefined;
        if (phone !== undefined) await admin.users.setPhone(user, phone);
        if (options.json) {
          json(cli, { user, ...(totp && { totp }), push: options.push === true, ...(pushed?.ntfy && { ntfy: pushed.ntfy }), ...(phone !== undefined && { phone }) });
          return ExitCode.ok;
        }
        const out = cli.io.stdout;
        out.write(`enrolled ${user}:${totp ? ' TOTP' : ''}${options.push ? ' push' : ''}${phone !== undefined ? ' SMS' : ''}\n`);
        if (pushed?.ntfy) out.write(`ntfy topic:  ${pushed.ntfy.topic} on ${pushed.ntfy.url} (give it to ${user} only: whoever subscribes can approve)\n`);
        if (totp) {
          out.write(`secret:      ${totp.secret}\notpauth URI: ${totp.otpauthUri}\n`);
          if (options.qr || isTerminal(out)) out.write(`\nScan with an authenticator app:\n${await terminalQr(totp.otpauthUri)}\n`);
        }
        return ExitCode.ok;
      });
    });
}

function printRefused(cli: Cli, refused: readonly RefusedRow[]): void {
  const shown = refused.slice(0, 50);
  cli.io.stdout.write(`${refused.length} row${refused.length === 1 ? '' : 's'} refused:\n`);
  for (const r of shown) cli.io.stdout.write(`  row ${r.row}${r.name !== undefined ? ` (${r.name})` : ''}: ${r.reason}\n`);
  if (refused.length > shown.length) cli.io.stdout.write(`  ... and ${refused.length - shown.length} more (--json lists all)\n`);
}

function writeSecrets(path: string, generated: readonly GeneratedSecret[]): void {
  const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;
  const lines = ['name,secret,otpauthUri,ntfyTopic', ...generated.map((g) => [g.name, g.secret ?? '', g.otpauthUri ?? '', g.ntfyTopic ?? ''].map(quote).join(','))];
  // Owner-only: these secrets (and ntfy topics: whoever subscribes can approve) are as good as the phones they are meant for.
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
}

function registerImport(users: Command, cli: Cli): void {
  users
    .command('import')
    .description('enroll many users from a CSV or JSON file: every row checked first, then all good rows written in one transaction')
    .argument('<file>', 'CSV with a header line (name,totp,phone,push) or JSON ([{ "name", "totp", "phone", "push" }])')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--secrets-out <file>', 'where generated secrets are written (CSV, mode 0600): TOTP of rows with totp "generate", the ntfy topic of push rows when pushes go to ntfy; required when there are such rows')
    .option('--dry-run', 'check every row and report, write nothing')
    .option('--json', 'print { imported, created, replaced, refused: [{ row, name, reason }] } as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Columns: name (required); totp: a base32 secret (at least 128 bits) or "generate"; phone: E.164;',
        'push: yes/no. A row must enroll something. Bad rows are reported with their line and reason;',
        'the good rows are written together (one MULTI/EXEC), so a Redis failure writes none of them.',
        'Exit status: 0 all rows imported, 1 some rows refused (the others imported) or the file unusable,',
        '2 usage error, Redis unreachable or the write refused.',
        '',
        'Examples:',
        '  radius-mfa users import staff.csv --secrets-out staff-secrets.csv -c config.yaml',
        '  radius-mfa users import tokens.json --dry-run --json -c config.yaml',
      ].join('\n'),
    )
    .action(async (file: string, options: { config?: string; secretsOut?: string; dryRun?: boolean; json?: boolean }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new CliUsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      await withUserAdmin(cli, options.config, async (admin) => {
        let rows;
        try {
          rows = readImportFile(file, text);
        } catch (error) {
          if (!(error instanceof ImportFileError)) throw error;
          cli.io.stderr.write(`radius-mfa: ${file}: ${error.message}\n`);
          return ExitCode.rejected;
        }
        const { users: good, refused } = checkImportRows(rows, admin.normalize);
        if (importGeneratesSecrets(admin, good) && options.secretsOut === undefined && !options.dryRun) {
          throw new CliUsageError('some rows say totp "generate" or push with an ntfy notifier (a topic per user): pass --secrets-out FILE so their secrets reach the users');
        }
        let result = { created: 0, replaced: 0, generated: [] as readonly GeneratedSecret[] };
        if (!options.dryRun && good.length > 0) {
          const bar = progressBar(cli.io.stderr, 'sealing', good.length);
          try {
            result = await writeImport(admin, good, (done) => bar.update(done));
          } catch (error) {
            if (!(error instanceof ImportWriteError)) throw error;
            cli.io.stderr.write(`radius-mfa: ${error.message}\n`);
            return ExitCode.error;
          } finally {
            bar.finish();
          }
          if (options.secretsOut !== undefined && result.generated.length > 0) writeSecrets(options.secretsOut, result.generated);
        }
        const imported = options.dryRun ? 0 : good.length;
        if (options.json) {
          json(cli, { file, dryRun: options.dryRun === true, rows: rows.length, imported, valid: good.length, created: result.created, replaced: result.replaced, generated: result.generated.length, refused });
        } else {
          cli.io.stdout.write(
            options.dryRun
              ? `${good.length} of ${rows.length} rows are valid (dry run: nothing written)\n`
              : `imported ${imported} of ${rows.length} users (${result.created} new, ${result.replaced} replaced)${result.generated.length > 0 ? `; ${result.generated.length} generated secrets in ${options.secretsOut}` : ''}\n`,
          );
          if (refused.length > 0) printRefused(cli, refused);
        }
        return refused.length > 0 ? ExitCode.rejected : ExitCode.ok;
      });
    });
}

function registerList(users: Command, cli: Cli): void {
  users
    .command('list')
    .description('list enrolled users: TOTP, push, phone (masked), lockouts, active push limits')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--json', 'print an array of users as JSON')
    .addHelpText('after', '\nExamples:\n  radius-mfa users list -c config.yaml\n  radius-mfa users list -c config.yaml --json | jq length')
    .action(async (options: { config?: string; json?: boolean }) => {
      await withUserAdmin(cli, options.config, async (admin) => {
        const names: string[] = [];
        let cursor = '0';
        do {
          const page = await admin.users.listUsers({ cursor, count: 1000 });
          names.push(...page.users);
          cursor = page.cursor;
        } while (cursor !== '0');
        names.sort();
        const now = Date.now();
        const records: Record<string, unknown>[] = [];
        for (let i = 0; i < names.length; i += 200) {
          const chunk = await Promise.all(names.slice(i, i + 200).map(async (n) => [await admin.users.getUser(n), await activePushLimitOf(admin, n)] as const));
          for (const [user, pushLimit] of chunk) if (user) records.push(userSummary(user, now, pushLimit, admin));
        }
        if (options.json) json(cli, records);
        else {
          cli.io.stdout.write(`${records.length} enrolled user${records.length === 1 ? '' : 's'}\n`);
          for (const r of records) cli.io.stdout.write(`  ${String(r['name'])}  totp: ${String(r['totp'])}  push: ${String(r['push'])}  phone: ${String(r['phone'])}  locked: ${String(r['locked'])}  push limit: ${String(r['pushLimit'])}\n`);
        }
        return ExitCode.ok;
      });
    });
}

function registerUnlock(users: Command, cli: Cli): void {
  users
    .command('unlock')
    .description('clear a user\'s TOTP lockout, fraud lock, push-denial count and push rate-limit windows (pushes, calls, texts)')
    .argument('<name>', 'the user name')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--json', 'print { user, unlocked, clearedPushLimits: [{ window, count, retryAfterSeconds }] } as JSON')
    .addHelpText('after', '\nExit status: 0 unlocked, 1 no such enrolled user.\n\nExample:\n  radius-mfa users unlock alice -c config.yaml')
    .action(async (name: string, options: { config?: string; json?: boolean }) => {
      await withUserAdmin(cli, options.config, async (admin) => {
        const user = admin.normalize(name);
        const known = (await admin.users.getUser(user)) !== undefined;
        if (known) await admin.users.unlock(user);
        const cleared = known ? await clearPushLimits(admin.redis, admin.keys, user) : [];
        if (options.json) {
          json(cli, { user, unlocked: known, clearedPushLimits: cleared.map((w) => ({ window: w.window, count: w.count, retryAfterSeconds: retryAfterSeconds(w) })) });
        } else if (!known) cli.io.stdout.write(`no enrolled user ${user}: nothing to unlock\n`);
        else {
          const limits = pushLimitsOf(admin.config);
          const windows = cleared.map((w) => `${describeWindow(w, limits)}, ${retryAfterSeconds(w)} s left`).join('; ');
          cli.io.stdout.write(`unlocked ${user}: lockouts and denial count cleared; ${cleared.length > 0 ? `push rate limit cleared (${windows})` : 'no push rate limit was running'}\n`);
        }
        return known ? ExitCode.ok : ExitCode.rejected;
      });
    });
}

export const registerUsersCommand: RegisterCommand = (program, cli) => {
  const users = program
    .command('users')
    .description('enroll, import, list and unlock users (second factors, in Redis)')
    .addHelpText('after', '\nExamples:\n  radius-mfa users enroll alice --totp -c config.yaml\n  radius-mfa users import staff.csv -c config.yaml');
  registerEnroll(users, cli);
  registerImport(users, cli);
  registerList(users, cli);
  registerUnlock(users, cli);
};
