// FreeRADIUS 3.2 (Debian's `freeradius`) with rlm_totp, configured in a temporary directory on its
// own port, doing the bench's TOTP job: `,123456` in User-Password, the code checked against
// the user's secret from a users file. rlm_totp has no replay protection and no shared state, so
// this is an upper bound rather than a peer.
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base32Encode } from '@radius-mfa/mfa';
import { freeUdpPort } from '@radius-mfa/testing';

/** The freeradius binary's version line, or undefined when it is not installed. */
export function freeRadiusVersion() {
  try {
    return execFileSync('freeradius', ['-v'], { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    return undefined;
  }
}

function radiusdConf(dir, port, secret, threads) {
  return `
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
confdir = ${dir}
raddbdir = ${dir}
logdir = ${dir}
run_dir = ${dir}
db_dir = ${dir}
libdir = /usr/lib/freeradius
pidfile = ${dir}/radiusd.pid
name = radiusd
max_request_time = 30
cleanup_delay = 5
max_requests = 1000000
hostname_lookups = no
log {
  destination = stderr
  auth = no
}
security {
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 0
  status_server = no
}
thread pool {
  start_servers = ${threads}
  max_servers = ${threads}
  min_spare_servers = 1
  max_spare_servers = ${threads}
  max_requests_per_server = 0
}
client bench {
  ipaddr = 127.0.0.1
  secret = ${secret}
  require_message_authenticator = yes
}
modules {
  totp {
  }
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
  authorize {
    if (&User-Password =~ /^,([0-9]{6})$/) {
      update request {
        &TOTP-Password := "%{1}"
      }
    }
    files
    update control {
      &Auth-Type := totp
    }
  }
  authenticate {
    Auth-Type totp {
      totp
    }
  }
}
`;
}

/**
 * Starts `freeradius -f` with users `names[i]` holding `secrets[i]` (raw bytes) as TOTP-Secret.
 * Resolves once it listens (its log says so); `stop()` ends it and removes the directory.
 */
export async function startFreeRadius({ secret, names, secrets, threads = 4 }) {
  const dir = mkdtempSync(join(tmpdir(), 'rmfa-freeradius-'));
  const port = await freeUdpPort();
  writeFileSync(join(dir, 'radiusd.conf'), radiusdConf(dir, port, secret, threads));
  const users = createWriteStream(join(dir, 'users'));
  for (let i = 0; i < names.length; i++) users.write(`${names[i]} TOTP-Secret := "${base32Encode(secrets[i])}"\n`);
  users.end();
  await once(users, 'close');
  const child = spawn('freeradius', ['-f', '-d', dir, '-n', 'radiusd'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`freeradius not ready within 120 s:\n${log.slice(-2000)}`)), 120_000);
    child.stderr.on('data', (data) => {
      log = (log + data.toString()).slice(-20_000);
      if (log.includes('Ready to process requests')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`freeradius exited ${code}:\n${log.slice(-2000)}`));
    });
  });
  return {
    port,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
