// Rules that span keys, which a schema cannot say: a client's firstFactor needs its directory,
// `push` needs mfa.push, two clients may not claim the same source, and so on.
import type { Config } from './schema.js';
import type { ConfigProblem } from './problems.js';
import { formatPath } from './problems.js';
import { parseCidr, cidrKey, InvalidAddressError } from './cidr.js';
import { parseEndpoint, InvalidEndpointError } from './endpoint.js';
import { GENERATE, SEALING_KEY_BYTES, decodeSealingKey, weakSecretProblems } from './secret-strength.js';
import { checkTrustProxy } from './trust-proxy.js';

export interface CheckFindings {
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
}

type Check = (config: Config, found: CheckFindings) => void;

const RECOMMENDED_SECRET_LENGTH = 16;

function addresses(address: string | string[]): string[] {
  return Array.isArray(address) ? address : [address];
}

const clientDirectories: Check = (config, found) => {
  config.clients.forEach((client, i) => {
    if (client.firstFactor === 'none') return;
    if (config.directories[client.firstFactor] === undefined) {
      found.errors.push({
        path: formatPath(['clients', i, 'firstFactor']),
        message: `is "${client.firstFactor}" but directories.${client.firstFactor} is not configured`,
        fix: `add a directories.${client.firstFactor} section, or choose another firstFactor (none, local, ldap, radius, entra)`,
      });
    }
  });
};

const clientMethods: Check = (config, found) => {
  config.clients.forEach((client, i) => {
    for (const method of ['push', 'sms', 'voice'] as const) {
      if (client.methods.includes(method) && config.mfa[method] === undefined) {
        found.errors.push({
          path: formatPath(['clients', i, 'methods']),
          message: `lists "${method}" but mfa.${method} is not configured`,
          fix: `add an mfa.${method} section, or remove "${method}" from methods`,
        });
      }
    }
    const push = config.mfa.push;
    if (push && client.methods.includes('push') && client.timeoutSeconds < push.timeoutSeconds) {
      found.warnings.push({
        path: formatPath(['clients', i, 'timeoutSeconds']),
        message: `is ${client.timeoutSeconds} s, shorter than mfa.push.timeoutSeconds (${push.timeoutSeconds} s): the NAS gives up before the person can answer`,
        fix: `raise the NAS timeout and this value above ${push.timeoutSeconds}, or lower mfa.push.timeoutSeconds`,
      });
    }
    if (client.prompt === 'auto' && !client.methods.some((m) => m === 'push' || m === 'voice')) {
      found.warnings.push({
        path: formatPath(['clients', i, 'prompt']),
        message: 'is "auto" but methods has no push or voice: nothing can ask this client\'s users for a code',
        fix: 'add push to methods, or use prompt: challenge or append',
      });
    }
  });
};

const clientNamesAndAddresses: Check = (config, found) => {
  const names = new Map<string, number>();
  const blocks = new Map<string, string>();
  config.clients.forEach((client, i) => {
    const first = names.get(client.name);
    if (first !== undefined) {
      found.errors.push({
        path: formatPath(['clients', i, 'name']),
        message: `"${client.name}" is also the name of clients[${first}]`,
        fix: 'give every client its own name (it labels logs and metrics)',
      });
    } else names.set(client.name, i);
    const list = addresses(client.address);
    list.forEach((text, j) => {
      const path = Array.isArray(client.address) ? formatPath(['clients', i, 'address', j]) : formatPath(['clients', i, 'address']);
      try {
        const cidr = parseCidr(text);
        if (cidr.hostBitsSet) {
          found.warnings.push({
            path,
            message: `"${text}" has host bits set below the /${cidr.prefix} prefix`,
            fix: 'write the network address of the block (e.g. 10.0.0.0/8), or a single address without a prefix',
          });
        }
        const key = cidrKey(cidr);
        const owner = blocks.get(key);
        if (owner !== undefined) {
          found.errors.push({
            path,
            message: `"${text}" is also claimed by ${owner}`,
            fix: 'a source address must identify one client: remove it from one of them, or use a longer prefix',
          });
        } else blocks.set(key, path);
      } catch (error) {
        if (!(error instanceof InvalidAddressError)) throw error;
        found.errors.push({
          path,
          message: `"${text}" is not an IP address or CIDR block (${error.message})`,
          fix: 'write an IPv4 or IPv6 address (192.0.2.10, 2001:db8::10) or a CIDR block (10.0.0.0/8, 2001:db8::/32)',
        });
      }
    });
  });
};

const clientSecrets: Check = (config, found) => {
  config.clients.forEach((client, i) => {
    if (client.secret.length < RECOMMENDED_SECRET_LENGTH) {
      found.warnings.push({
        path: formatPath(['clients', i, 'secret']),
        message: `is shorter than ${RECOMMENDED_SECRET_LENGTH} characters: weak against offline guessing from one captured packet`,
        fix: 'use a random secret of at least 16 characters on both sides, e.g. `openssl rand -base64 24`',
      });
    }
  });
};

const replyAttributes: Check = (config, found) => {
  config.clients.forEach((client, i) => {
    const lists: [(string | number)[], typeof client.attributes][] = [
      [['clients', i, 'attributes'], client.attributes],
      ...Object.entries(client.groupAttributes).map(([group, list]): [(string | number)[], typeof client.attributes] => [['clients', i, 'groupAttributes', group], list]),
    ];
    for (const [base, list] of lists) {
      list.forEach((attribute, j) => {
        if (attribute.name === undefined && attribute.type === undefined) {
          found.errors.push({ path: formatPath([...base, j]), message: 'has neither `name` nor `type`', fix: 'name the attribute (`name: Class`) or give its number (`type: 25`)' });
        }
        if (attribute.vendor !== undefined && attribute.type === undefined) {
          found.errors.push({ path: formatPath([...base, j, 'vendor']), message: 'is set without `type`', fix: 'give the vendor attribute number in `type`' });
        }
      });
    }
  });
};

const listenAddresses: Check = (config, found) => {
  const check = (key: 'listen' | 'accountingListen'): void => {
    config.radius[key].forEach((text, i) => {
      const path = formatPath(['radius', key, i]);
      try {
        const endpoint = parseEndpoint(text, { allowPortZero: true });
        if (endpoint.protocol === 'tls' && config.radius.tls === undefined) {
          found.errors.push({ path, message: `is a tls:// (RadSec) address but radius.tls is not configured`, fix: 'add radius.tls with cert, key and ca, or listen on udp://' });
        }
      } catch (error) {
        if (!(error instanceof InvalidEndpointError)) throw error;
        found.errors.push({ path, message: `"${text}" is not a valid listen address (${error.message})`, fix: 'write udp://HOST:PORT, udp://[V6]:PORT or tls://HOST:PORT, with PORT 1..65535 (0: any free port)' });
      }
    });
  };
  check('listen');
  check('accountingListen');
  for (const key of ['api', 'ops'] as const) {
    try {
      parseEndpoint(config[key].listen, { allowPortZero: true });
    } catch (error) {
      if (!(error instanceof InvalidEndpointError)) throw error;
      found.errors.push({ path: `${key}.listen`, message: `is not a valid listen address (${error.message})`, fix: 'write http://HOST:PORT, with PORT 1..65535 (0: any free port)' });
    }
  }
};

const radsecLimits: Check = (config, found) => {
  const tls = config.radius.tls;
  if (tls && tls.maxConnectionsPerAddress > tls.maxConnections) {
    found.warnings.push({
      path: 'radius.tls.maxConnectionsPerAddress',
      message: `is ${tls.maxConnectionsPerAddress}, above radius.tls.maxConnections (${tls.maxConnections}): one address can take every RadSec slot`,
      fix: `lower it to at most ${tls.maxConnections}, or raise radius.tls.maxConnections`,
    });
  }
};

/** RadSec picks the client by source address and then requires one of its tlsNames on the certificate. */
const radsecClientNames: Check = (config, found) => {
  if (config.clients.some((client) => client.tlsNames.length > 0)) return;
  const listens = (['listen', 'accountingListen'] as const).flatMap((key) => config.radius[key].map((text, i) => ({ path: formatPath(['radius', key, i]), text })));
  const radsec = listens.find(({ text }) => text.startsWith('tls://'));
  if (radsec === undefined) return;
  found.warnings.push({
    path: radsec.path,
    message: `is a tls:// (RadSec) address but no client lists tlsNames: every RadSec connection will be closed (radsec_identity_mismatch)`,
    fix: 'give each client that connects over RadSec the names its certificate carries, e.g. `tlsNames: [nas1.example.com]` (a DNS subjectAltName, or the subject CN only when the certificate has no DNS subjectAltName)',
  });
};

const sealingKeys: Check = (config, found) => {
  const ids = new Set<string>();
  config.security.sealingKeys.forEach((entry, i) => {
    if (decodeSealingKey(entry.key) === undefined) {
      found.errors.push({
        path: formatPath(['security', 'sealingKeys', i, 'key']),
        message: `is not the base64 of exactly ${SEALING_KEY_BYTES} bytes`,
        fix: `generate one with \`${GENERATE.sealingKey}\``,
      });
    }
    if (ids.has(entry.id)) {
      found.errors.push({ path: formatPath(['security', 'sealingKeys', i, 'id']), message: `"${entry.id}" is used by another key`, fix: 'give every key its own id' });
    }
    ids.add(entry.id);
  });
};

const weakSecrets: Check = (config, found) => {
  const weak = weakSecretProblems(config);
  found.errors.push(...weak.errors);
  found.warnings.push(...weak.warnings);
};

const redisTopology: Check = (config, found) => {
  if (config.redis.sentinel && config.redis.cluster) {
    found.errors.push({ path: 'redis', message: 'has both sentinel and cluster', fix: 'keep the one your Redis runs: sentinel or cluster' });
  }
};

const directories: Check = (config, found) => {
  const entra = config.directories.entra;
  if (entra && (entra.clientCertificate === undefined) === (entra.clientSecret === undefined)) {
    found.errors.push({
      path: 'directories.entra',
      message: entra.clientSecret === undefined ? 'has no credential' : 'has both clientCertificate and clientSecret',
      fix: 'set exactly one of clientCertificate (preferred) or clientSecret',
    });
  }
  const users = new Set<string>();
  config.directories.local?.users.forEach((user, i) => {
    if (users.has(user.name)) {
      found.errors.push({ path: formatPath(['directories', 'local', 'users', i, 'name']), message: `"${user.name}" is listed twice`, fix: 'keep one entry per user' });
    }
    users.add(user.name);
  });
  const senders = [
    ['mfa', 'sms', 'sender', config.mfa.sms?.sender.type],
    ['mfa', 'voice', 'sender', config.mfa.voice?.sender.type],
  ] as const;
  for (const [a, b, c, type] of senders) {
    if (type === 'acs' && entra?.acsEndpoint === undefined) {
      found.errors.push({ path: `${a}.${b}.${c}`, message: 'is of type "acs" but directories.entra.acsEndpoint is not set', fix: 'add directories.entra with acsEndpoint, or use a webhook sender' });
    }
  }
};

/** Entra identifies groups by object id; a display name in a rule would silently never match. */
const GROUP_OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const entraUserSource: Check = (config, found) => {
  config.clients.forEach((client, i) => {
    if (client.userSource !== 'entra' && client.firstFactor !== 'entra') return;
    if (client.userSource === 'entra' && config.directories.entra === undefined) {
      found.errors.push({ path: formatPath(['clients', i, 'userSource']), message: 'is "entra" but directories.entra is not configured', fix: 'add a directories.entra section, or remove userSource' });
    }
    const rules: [(string | number)[], string][] = [
      ...client.bypass.groups.map((g, j): [(string | number)[], string] => [['clients', i, 'bypass', 'groups', j], g]),
      ...client.requireGroups.map((g, j): [(string | number)[], string] => [['clients', i, 'requireGroups', j], g]),
      ...Object.keys(client.groupAttributes).map((g): [(string | number)[], string] => [['clients', i, 'groupAttributes', g], g]),
    ];
    for (const [path, group] of rules) {
      if (!GROUP_OBJECT_ID.test(group)) {
        found.warnings.push({ path: formatPath(path), message: `"${group}" is not an Entra group object id: this client's groups come from Entra, so it never matches`, fix: 'use the group\'s Object ID from the Entra admin center (Groups → the group → Overview)' });
      }
    }
  });
  const voice = config.mfa.voice?.sender;
  if (voice?.type === 'acs' && voice.cognitiveServicesEndpoint === undefined && voice.promptUrl === undefined) {
    found.errors.push({ path: 'mfa.voice.sender', message: 'has neither cognitiveServicesEndpoint nor promptUrl: the call would have nothing to say', fix: 'set cognitiveServicesEndpoint (Azure AI services linked to ACS) for a spoken prompt, or promptUrl for an audio file' });
  }
};

const enrollWithoutFirstFactor: Check = (config, found) => {
  config.clients.forEach((client, i) => {
    if (client.unenrolled === 'enroll' && client.firstFactor === 'none') {
      found.warnings.push({
        path: formatPath(['clients', i, 'unenrolled']),
        message: 'is "enroll" but firstFactor is "none": anyone who types an unenrolled user\'s name gets that user\'s enrollment link (in the Reply-Message, which NAS logs keep too) and can enroll their own phone',
        fix: 'use unenrolled: reject (enroll users through the admin API or `radius-mfa users`), or give this client a first factor',
      });
    }
  });
};

/** `config check` says OK to a local first factor with no users, yet every sign-in is then rejected. */
const localWithoutUsers: Check = (config, found) => {
  if (config.directories.local === undefined || config.directories.local.users.length > 0) return;
  config.clients.forEach((client, i) => {
    if (client.firstFactor !== 'local') return;
    found.warnings.push({
      path: formatPath(['clients', i, 'firstFactor']),
      message: 'is "local" but directories.local.users is empty: every sign-in through this client is rejected',
      fix: 'add users to directories.local.users, each with a passwordHash from `radius-mfa hash-password`, or choose firstFactor ldap, radius or entra',
    });
  });
};

const sharedNtfyTopic: Check = (config, found) => {
  const notifier = config.mfa.push?.notifier;
  if (notifier?.type === 'ntfy' && notifier.topic !== undefined) {
    found.warnings.push({
      path: 'mfa.push.notifier.topic',
      message: "is one topic for every user: everyone subscribed to it sees every push and can approve anyone's sign-in",
      fix: 'remove topic: each push enrollment then gets a random topic of its own; keep it only behind ntfy access control that lets just the approvers read it',
    });
  }
};

/** A webhook without signingSecret goes out unsigned: its receiver cannot tell our POSTs from anyone's. */
const unsignedWebhooks: Check = (config, found) => {
  const webhooks = [
    { path: 'mfa.push.notifier.signingSecret', endpoint: config.mfa.push?.notifier, sends: 'every push', receiver: 'push gateway', variable: 'PUSH_SIGNING_SECRET', forged: 'a forged push (an approval request for a sign-in that never happened)' },
    { path: 'mfa.sms.sender.signingSecret', endpoint: config.mfa.sms?.sender, sends: 'every SMS code', receiver: 'SMS gateway', variable: 'SMS_SIGNING_SECRET', forged: 'a forged request (texts of anyone\'s choosing, sent in your name)' },
    { path: 'mfa.voice.sender.signingSecret', endpoint: config.mfa.voice?.sender, sends: 'every voice code', receiver: 'voice gateway', variable: 'VOICE_SIGNING_SECRET', forged: 'a forged request (calls to anyone, placed in your name)' },
  ];
  for (const { path, endpoint, sends, receiver, variable, forged } of webhooks) {
    if (endpoint?.type !== 'webhook' || endpoint.signingSecret !== undefined) continue;
    found.warnings.push({
      path,
      message: `is not set: ${sends} goes out unsigned, and the ${receiver} cannot tell it from ${forged}`,
      fix: `generate one with \`${GENERATE.signingKey}\`, set it here from the environment (\`signingSecret: "\${${variable}}"\`) and on the ${receiver}, which must verify X-Radius-Mfa-Signature (docs/operations.md, "Webhook receivers")`,
    });
  }
};

const noClients: Check = (config, found) => {
  if (config.clients.length === 0) {
    found.warnings.push({ path: 'clients', message: 'is empty: every RADIUS request will be dropped', fix: 'add a client with name, address and secret' });
  }
};

const CHECKS: readonly Check[] = [
  clientDirectories,
  clientMethods,
  clientNamesAndAddresses,
  clientSecrets,
  replyAttributes,
  listenAddresses,
  checkTrustProxy,
  radsecLimits,
  radsecClientNames,
  sealingKeys,
  weakSecrets,
  redisTopology,
  directories,
  entraUserSource,
  enrollWithoutFirstFactor,
  localWithoutUsers,
  sharedNtfyTopic,
  unsignedWebhooks,
  noClients,
];

/**
 * Runs every cross-field check. When the schema already failed, `config` may be malformed:
 * a check that trips over it is skipped (the schema problem already says what is wrong).
 */
export function crossFieldProblems(config: Config, schemaValid: boolean): CheckFindings {
  const found: CheckFindings = { errors: [], warnings: [] };
  for (const check of CHECKS) {
    try {
      check(config, found);
    } catch (error) {
      if (schemaValid) throw error;
    }
  }
  return found;
}
