/**
 * A private FreeRADIUS 3.2 for tests (Debian `freeradius`, listed in .ci/apt-packages) as an upstream
 * RADIUS server: one client (127.0.0.1), users from a `files` module, PAP, CHAP and MS-CHAPv2, on a
 * free UDP port of 127.0.0.1 with a configuration of its own (never the system's /etc/freeradius).
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
  stop(): Promise<void>;
}

export interface FreeRadiusOptions {
  /** The secret of its one client, 127.0.0.1. */
  secret: string;
  /** User name → Cleartext-Password (enough for PAP, CHAP and MS-CHAPv2). */
  users: Record<string, string>;
}

function radiusdConf(dir: string, port: number, secret: string): string {
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
cleanup_delay = 0
max_requests = 1024
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
}
client nas {
  ipaddr = 127.0.0.1
  secret = "${secret}"
}
modules {
  pap {
  }
  chap {
  }
  mschap {
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
    files
    chap
    mschap
    pap
  }
  authenticate {
    Auth-Type PAP {
      pap
    }
    Auth-Type CHAP {
      chap
    }
    Auth-Type MS-CHAP {
      mschap
    }
  }
}
`;
}

/** Starts `freeradius -X` with a configuration of its own on a free UDP port of 127.0.0.1. */
export function startFreeRadius(options: FreeRadiusOptions): Promise<FreeRadius> {
  return withPortRetry(() => startOnce(options));
}

async function startOnce(options: FreeRadiusOptions): Promise<FreeRadius> {
  const dir = mkdtempSync(join(tmpdir(), 'rmfa-freeradius-'));
  mkdirSync(join(dir, 'run'));
  const port = await freeUdpPort();
  writeFileSync(join(dir, 'radiusd.conf'), radiusdConf(dir, port, options.secret));
  writeFileSync(join(dir, 'dictionary'), '');
  writeFileSync(
    join(dir, 'users'),
    Object.entries(options.users)
      .map(([name, password]) => `${name} Cleartext-Password := "${password}"\n`)
      .join(''),
  );
  // -X: foreground, one thread, and "Ready to process requests" once it listens.
  const freeradius = startDaemonProcess('freeradius', ['-X', '-d', dir], dir);
  try {
    await freeradius.waitForOutput('Ready to process requests', 30_000);
  } catch (error) {
    await freeradius.stop();
    throw error;
  }
  return { server: `udp://127.0.0.1:${port}`, port, stop: () => freeradius.stop() };
}
