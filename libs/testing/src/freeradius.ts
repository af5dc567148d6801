/**
 * A private FreeRADIUS 3.2 (Debian `freeradius`, listed in .ci/apt-packages) on a free UDP port of
 * 127.0.0.1 with a configuration of its own (never the system's /etc/freeradius), one client
 * (127.0.0.1) and users from a `files` module. For tests, an upstream RADIUS server checking
 * passwords (PAP, CHAP, MS-CHAPv2); for the bench (bench/freeradius.mjs), rlm_totp checking
 * TOTP codes under load.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemonProcess, withPortRetry } from './daemon-process.js';
import { freeUdpPort } from './free-port.js';

export interface FreeRadius {
  /** udp://127.0.0.1:PORT */
  readonly server: string;
  readonly port: number;
  /** The radiusd process (the bench meters its CPU). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

interface FreeRadiusServerOptions {
  /** The secret of its one client, 127.0.0.1. */
  secret: string;
  /** Run under load: `-f` with this many threads and no per-request log. Default: `-X`, one thread, the debug log. */
  threads?: number;
  /** `require_message_authenticator` for the client (default no). */
  requireMessageAuthenticator?: boolean;
}

/** The users file: passwords, or TOTP secrets. */
type FreeRadiusUsers =
  | {
      /** User name → Cleartext-Password (enough for PAP, CHAP and MS-CHAPv2). */
      users: Record<string, string>;
      totpSecrets?: never;
    }
  | {
      /** [user name, TOTP secret in base32]: rlm_totp checks the code sent as `,123456` in User-Password. */
      totpSecrets: Iterable<readonly [string, string]>;
      users?: never;
    };

export type FreeRadiusOptions = FreeRadiusServerOptions & FreeRadiusUsers;

/** A checking method: its modules, its authorize and authenticate sections, and a users-file line. */
interface Policy {
  readonly modules: string;
  readonly authorize: string;
  readonly authenticate: string;
  readonly userLine: (name: string, value: string) => string;
}

const PASSWORDS: Policy = {
  modules: `
  pap {
  }
  chap {
  }
  mschap {
  }`,
  authorize: `
    files
    chap
    mschap
    pap`,
  authenticate: `
    Auth-Type PAP {
      pap
    }
    Auth-Type CHAP {
      chap
    }
    Auth-Type MS-CHAP {
      mschap
    }`,
  userLine: (name, password) => `${name} Cleartext-Password := "${password}"\n`,
};

const TOTP: Policy = {
  modules: `
  totp {
  }`,
  authorize: `
    if (&User-Password =~ /^,([0-9]{6})$/) {
      update request {
        &TOTP-Password := "%{1}"
      }
    }
    files
    update control {
      &Auth-Type := totp
    }`,
  authenticate: `
    Auth-Type totp {
      totp
    }`,
  userLine: (name, secret) => `${name} TOTP-Secret := "${secret}"\n`,
};

function radiusdConf(dir: string, port: number, options: FreeRadiusServerOptions, policy: Policy): string {
  const { threads } = options;
  const threadPool =
    threads === undefined
      ? ''
      : `
thread pool {
  start_servers = ${threads}
  max_servers = ${threads}
  min_spare_servers = 1
  max_spare_servers = ${threads}
  max_requests_per_server = 0
}`;
  return `
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = ${dir}
raddbdir = ${dir}
radacctdir = ${dir}
name = freeradius
confdir = ${dir}
modconfdir = ${dir}
run_dir = ${dir}/run
db_dir = ${dir}
libdir = /usr/lib/freeradius
pidfile = ${dir}/run/freeradius.pid
max_request_time = 30
# Under load (threads): FreeRADIUS's default 5 s of duplicate detection, and room for every request in flight.
cleanup_delay = ${threads === undefined ? 0 : 5}
max_requests = ${threads === undefined ? 1024 : 1_000_000}
hostname_lookups = no
log {
  destination = stdout
}
security {
  allow_core_dumps = no
  max_attributes = 200
  # FreeRADIUS delays every Reject by reject_delay seconds; the tests want them at once.
  reject_delay = 0
  status_server = yes
}${threadPool}
client nas {
  ipaddr = 127.0.0.1
  secret = "${options.secret}"
  require_message_authenticator = ${options.requireMessageAuthenticator ? 'yes' : 'no'}
}
modules {${policy.modules}
  files {
    filename = ${dir}/users
  }
}
server default {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = ${port}
  }
  authorize {${policy.authorize}
  }
  authenticate {${policy.authenticate}
  }
}
`;
}

/** Starts FreeRADIUS with a configuration of its own on a free UDP port of 127.0.0.1. */
export function startFreeRadius(options: FreeRadiusOptions): Promise<FreeRadius> {
  return withPortRetry(() => startOnce(options));
}

async function startOnce(options: FreeRadiusOptions): Promise<FreeRadius> {
  const [policy, users] = options.totpSecrets ? [TOTP, [...options.totpSecrets]] : [PASSWORDS, Object.entries(options.users)];
  const dir = mkdtempSync(join(tmpdir(), 'rmfa-freeradius-'));
  mkdirSync(join(dir, 'run'));
  const port = await freeUdpPort();
  writeFileSync(join(dir, 'radiusd.conf'), radiusdConf(dir, port, options, policy));
  writeFileSync(join(dir, 'dictionary'), '');
  writeFileSync(join(dir, 'users'), users.map(([name, value]) => policy.userLine(name, value)).join(''));
  // -X: foreground, one thread, every request logged; -f: foreground, the thread pool, quiet.
  const freeradius = startDaemonProcess('freeradius', [options.threads === undefined ? '-X' : '-f', '-d', dir], dir);
  try {
    // It reads the whole users file first: a second more per 2,000 users (the bench has 200,000).
    await freeradius.waitForOutput('Ready to process requests', 30_000 + users.length / 2);
  } catch (error) {
    await freeradius.stop();
    throw error;
  }
  return { server: `udp://127.0.0.1:${port}`, port, pid: freeradius.pid, stop: () => freeradius.stop() };
}
