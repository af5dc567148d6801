// The one schema of the radius-mfa configuration. The TypeScript types are derived from it
// (never written twice), the validator checks against it, and the README's configuration
// reference is generated from the `description` of every property.
//
// Schema options used beyond JSON Schema:
//   'x-secret': true  the value is a secret: never echoed in any message or log.
//   'x-file': true    a path, resolved against the config file's directory.
import { Type, type Static } from '@sinclair/typebox';

const secret = { 'x-secret': true } as const;
const file = { 'x-file': true } as const;

/** Client names appear in metric labels and Redis keys: a short, safe alphabet. */
export const CLIENT_NAME_PATTERN = '^[A-Za-z0-9_.-]{1,64}$';
/** A RadSec certificate identity: no wildcard (matching is exact) and no control characters (OpenSSL refuses them). */
const TLS_NAME_PATTERN = '^[^*\\u0000-\\u001f\\u007f]{1,253}$';
/** `udp://host:port`, `udp://[v6]:port`, `tls://host:port`. */
export const RADIUS_LISTEN_PATTERN = '^(udp|tls)://(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$';
const RADIUS_LISTEN_HELP = 'A listen address: `udp://host:port`, `udp://[v6]:port` or `tls://host:port`.';
const UDP_SERVER_PATTERN = '^udp://(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$';
const HTTP_LISTEN_PATTERN = '^http://(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}/?$';
const HTTP_URL_PATTERN = '^https?://[^\\s]+$';
const HTTPS_URL_PATTERN = '^https://[^\\s]+$';

const RedisSchema = Type.Object(
  {
    url: Type.String({
      pattern: '^rediss?://',
      description: 'Redis URL, `redis://[:password@]host:port[/db]` or `rediss://` for TLS. With sentinel, the password and db are taken from it. A password here must be random (`openssl rand -hex 32`): placeholders, defaults and patterns are refused.',
      ...secret,
    }),
    keyPrefix: Type.String({
      default: '{rmfa}',
      // Redis Cluster hashes only what lies between the first '{' and the next '}', and the whole
      // key when that is empty; BullMQ's keys are `<prefix>:<queue>:…`. So the prefix starts with a
      // non-empty tag, and no later brace can become the first one.
      pattern: '^\\{[^{}]+\\}[^{}]*$',
      description:
        'Prefix of every Redis key and BullMQ queue. Must start with a {hash tag} (non-empty, no braces inside, none after it), e.g. `{rmfa}` or `{rmfa}prod`, so Redis Cluster keeps related keys on one slot.',
    }),
    sentinel: Type.Optional(
      Type.Object(
        {
          name: Type.String({ minLength: 1, description: 'Name of the monitored master.' }),
          sentinels: Type.Array(Type.String({ pattern: '^[^\\s:]+:[0-9]{1,5}$|^\\[[0-9A-Fa-f:.]+\\]:[0-9]{1,5}$', description: 'A sentinel, `host:port` or `[v6]:port`.' }), {
            minItems: 1,
            description: 'Sentinel addresses, `host:port`.',
          }),
          password: Type.Optional(Type.String({ description: 'Password of the sentinels themselves (not of the master); random, e.g. `openssl rand -hex 32`: placeholders, defaults and patterns are refused.', ...secret })),
        },
        { additionalProperties: false, description: 'Redis Sentinel: find the master through these sentinels.' },
      ),
    ),
    cluster: Type.Optional(
      Type.Object(
        {
          nodes: Type.Array(Type.String({ pattern: '^rediss?://', description: 'A cluster node, `redis://host:port`.' }), {
            minItems: 1,
            description: 'Seed nodes of the cluster, `redis://host:port`.',
          }),
        },
        { additionalProperties: false, description: 'Redis Cluster: connect to these seed nodes.' },
      ),
    ),
  },
  { additionalProperties: false, description: 'The Redis that holds all shared state and the BullMQ queues.' },
);

const RadiusTlsSchema = Type.Object(
  {
    cert: Type.String({ minLength: 1, description: 'PEM certificate (chain) of this server.', ...file }),
    key: Type.String({ minLength: 1, description: 'PEM private key of this server.', ...file }),
    ca: Type.String({ minLength: 1, description: 'PEM CA bundle that NAS client certificates must chain to (mutual TLS).', ...file }),
    maxConnections: Type.Integer({
      minimum: 1,
      default: 1024,
      description:
        'RadSec connections held at most on each `tls://` listen address, handshaking or open; a further connection is closed at once and counted as `radius_packets_dropped_total{reason="radsec_connection_limit"}`.',
    }),
    maxConnectionsPerAddress: Type.Integer({
      minimum: 1,
      default: 16,
      description:
        'RadSec connections one source address holds at most on each `tls://` listen address; a further one is closed at once and counted as `reason="radsec_address_limit"`. Raise it for several NAS behind one NAT address.',
    }),
    handshakeTimeoutSeconds: Type.Integer({
      minimum: 1,
      maximum: 60,
      default: 10,
      description:
        'A connection that has not completed its TLS handshake this long after it opened is closed and counted as `reason="radsec_handshake_timeout"`, so half-open connections cannot hold the slots.',
    }),
  },
  { additionalProperties: false, description: 'RadSec (RADIUS over TLS, RFC 6614) certificates and connection limits; required when a `tls://` listen address exists.' },
);

const RadiusSchema = Type.Object(
  {
    listen: Type.Array(Type.String({ pattern: RADIUS_LISTEN_PATTERN, description: RADIUS_LISTEN_HELP }), {
      default: ['udp://0.0.0.0:1812'],
      description: 'Authentication listen addresses: `udp://host:port`, `udp://[v6]:port`, `tls://host:port` (RadSec).',
    }),
    accountingListen: Type.Array(Type.String({ pattern: RADIUS_LISTEN_PATTERN, description: RADIUS_LISTEN_HELP }), {
      default: [],
      description: 'Accounting listen addresses (answered with Accounting-Response only); empty: no accounting.',
    }),
    tls: Type.Optional(RadiusTlsSchema),
    maxPendingPerPod: Type.Integer({
      minimum: 1,
      default: 50_000,
      description: 'Requests one ingress holds at most while waiting for a verdict; beyond it new requests are dropped (the NAS retries elsewhere).',
    }),
    receiveBufferBytes: Type.Integer({
      minimum: 65_536,
      default: 4_194_304,
      description: 'UDP socket receive buffer (SO_RCVBUF) in bytes; absorbs bursts.',
    }),
    statusServerPerSecond: Type.Integer({
      minimum: 0,
      default: 10,
      description: 'Status-Server (RFC 5997) requests answered per second and client; 0 ignores them.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'RADIUS sockets.' },
);

const ApiSchema = Type.Object(
  {
    listen: Type.String({
      pattern: HTTP_LISTEN_PATTERN,
      default: 'http://127.0.0.1:8080',
      description: 'Listen address of the results API (approvals, enrollment, admin), `http://host:port`.',
    }),
    publicUrl: Type.Optional(
      Type.String({
        pattern: HTTP_URL_PATTERN,
        description: 'Base URL of links sent to users (approve/deny). Always set after parsing: defaults to `listen`.',
      }),
    ),
    adminToken: Type.Optional(
      Type.String({
        minLength: 32,
        description: 'Bearer token of the admin API: random, at least 32 characters (`openssl rand -hex 32`); placeholders and patterns are refused. Unset: the admin API is disabled.',
        ...secret,
      }),
    ),
    trustProxy: Type.Union([Type.Boolean(), Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1 })], {
      default: false,
      description:
        'Which peers may name the client in X-Forwarded-For (the client address keys the rate limits). `false`: none, the peer is the client (no proxy in front). A list of the proxies\' addresses or CIDR blocks (or `loopback`, `linklocal`, `uniquelocal`), e.g. the ingress controller\'s pod network `[10.244.0.0/16]`: the client is the nearest address in X-Forwarded-For that is not in the list, so what a client writes itself is ignored. No hop count: it cannot tell a proxy from a client that connects directly. `true` believes any hop, so every client chooses its own address: only for tests or a single proxy that overwrites the header (warned about).',
    }),
  },
  { additionalProperties: false, default: {}, description: 'The HTTP API of the results-api role.' },
);

const OpsSchema = Type.Object(
  {
    listen: Type.String({
      pattern: HTTP_LISTEN_PATTERN,
      default: 'http://127.0.0.1:9100',
      description: 'Listen address of /healthz, /readyz and /metrics (every role), `http://host:port`.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Operations endpoint.' },
);

const LogSchema = Type.Object(
  {
    level: Type.Union(
      [
        Type.Literal('fatal'),
        Type.Literal('error'),
        Type.Literal('warn'),
        Type.Literal('info'),
        Type.Literal('debug'),
        Type.Literal('trace'),
        Type.Literal('silent'),
      ],
      { default: 'info', description: 'Log level: fatal, error, warn, info, debug, trace or silent.' },
    ),
  },
  { additionalProperties: false, default: {}, description: 'Logging (JSON lines on stdout).' },
);

const SealingKeySchema = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'Key id, stored beside each sealed value so old keys can still open it.' }),
    key: Type.String({ description: 'Base64 of exactly 32 random bytes (AES-256-GCM). Generate: `openssl rand -base64 32`. An all-zero, patterned or typed key is refused (after the first key: warned about).', ...secret }),
  },
  { additionalProperties: false },
);

const SecuritySchema = Type.Object(
  {
    sealingKeys: Type.Array(SealingKeySchema, {
      minItems: 1,
      description: 'Keys that seal secrets and requests in Redis. The first seals; all open (rotation: add a new key first, remove the old one later).',
    }),
  },
  { additionalProperties: false, description: 'Encryption of what is stored in Redis.' },
);

const UserNamesSchema = Type.Object(
  {
    stripDomain: Type.Boolean({ default: true, description: 'Turn `DOMAIN\\user` into `user`.' }),
    stripRealm: Type.Boolean({ default: false, description: 'Turn `user@realm` into `user`.' }),
    lowercase: Type.Boolean({ default: true, description: 'Lower-case user names before lookup.' }),
  },
  { additionalProperties: false, default: {}, description: 'How the User-Name is normalised before any lookup.' },
);

/** A RADIUS attribute returned on Access-Accept: by dictionary name, or by type (and vendor for VSAs). */
const ReplyAttributeSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, description: 'Dictionary name, e.g. `Class` or `Filter-Id`.' })),
    type: Type.Optional(Type.Integer({ minimum: 1, maximum: 255, description: 'Attribute type number (the vendor type when `vendor` is set).' })),
    vendor: Type.Optional(Type.Integer({ minimum: 1, maximum: 16_777_215, description: 'Vendor id (RFC 2865 §5.26 Vendor-Specific).' })),
    value: Type.Union([Type.String(), Type.Number()], { description: 'Value: a string, or a number for integer attributes.' }),
  },
  { additionalProperties: false, description: 'A reply attribute: `name`, or `type` (+ `vendor`).' },
);

const MethodSchema = Type.Union([Type.Literal('totp'), Type.Literal('push'), Type.Literal('sms'), Type.Literal('voice')]);

const ClientSchema = Type.Object(
  {
    name: Type.String({ pattern: CLIENT_NAME_PATTERN, description: 'Unique name (letters, digits, `_ . -`, at most 64); used in logs and metric labels.' }),
    address: Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })], {
      description: 'Source IP or CIDR (v4 or v6), or a list of them; the longest prefix wins.',
    }),
    secret: Type.String({ minLength: 8, description: 'Shared secret with the NAS, random (`openssl rand -base64 24`); at least 16 characters recommended, 8 the minimum. Placeholders, defaults (`testing123`) and patterns are refused.', ...secret }),
    tlsNames: Type.Array(Type.String({ pattern: TLS_NAME_PATTERN, description: 'A certificate identity: a DNS subjectAltName, or the subject CN only when the certificate has no DNS subjectAltName; no wildcard.' }), {
      default: [],
      uniqueItems: true,
      description:
        'RadSec: the certificate identities this client accepts. A `tls://` connection is matched to its client by source address (longest prefix, as for UDP), then its certificate must carry one of these names as a DNS subjectAltName (case-insensitive, wildcards in the certificate are not expanded), or as its subject CN (exact) only when the certificate has no DNS subjectAltName (RFC 6125 §6.4.4); otherwise it is closed and counted as `radius_packets_dropped_total{reason="radsec_identity_mismatch"}`. Empty: this client cannot be used over RadSec.',
    }),
    firstFactor: Type.Union([Type.Literal('none'), Type.Literal('local'), Type.Literal('ldap'), Type.Literal('radius'), Type.Literal('entra')], {
      default: 'none',
      description: 'Who checks the password: `none` (the NAS did, e.g. RD Gateway), `local`, `ldap`, `radius`, `entra`.',
    }),
    prompt: Type.Union([Type.Literal('auto'), Type.Literal('challenge'), Type.Literal('append')], {
      default: 'challenge',
      description: '`auto` (push at once, nothing can be shown), `challenge` (Access-Challenge), `append` (`password,123456`).',
    }),
    methods: Type.Array(MethodSchema, {
      default: ['totp'],
      minItems: 1,
      uniqueItems: true,
      description: 'Allowed second factors, in order of preference: totp, push, sms, voice.',
    }),
    unenrolled: Type.Union([Type.Literal('reject'), Type.Literal('allow'), Type.Literal('enroll')], {
      default: 'reject',
      description: 'A user with no second factor: `reject`, `allow` (first factor only), `enroll` (send an enrollment link).',
    }),
    failMode: Type.Union([Type.Literal('closed'), Type.Literal('open')], {
      default: 'closed',
      description: 'When a provider or Redis is down: `closed` rejects, `open` accepts after the first factor.',
    }),
    requireMessageAuthenticator: Type.Boolean({
      default: true,
      description: 'Drop Access-Requests without a valid Message-Authenticator (BlastRADIUS, RFC 3579 §3.2).',
    }),
    timeoutSeconds: Type.Integer({
      minimum: 5,
      maximum: 600,
      default: 55,
      description: 'Answer (Reject) before the NAS gives up; set just below the NAS timeout.',
    }),
    rateLimit: Type.Object(
      {
        perSecond: Type.Integer({ minimum: 1, default: 500, description: 'Sustained requests per second from this client.' }),
        burst: Type.Integer({ minimum: 1, default: 1000, description: 'Burst size above the sustained rate.' }),
      },
      { additionalProperties: false, default: {}, description: 'Requests admitted from this client (token bucket).' },
    ),
    attributes: Type.Array(ReplyAttributeSchema, { default: [], description: 'Attributes returned on every Access-Accept.' }),
    groupAttributes: Type.Record(Type.String({ minLength: 1 }), Type.Array(ReplyAttributeSchema), {
      default: {},
      description: 'Extra Access-Accept attributes per directory group: `{ GROUP: [attributes] }`.',
    }),
    bypass: Type.Object(
      {
        users: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Users who skip the second factor.' }),
        groups: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Groups whose members skip the second factor.' }),
        callingStationIds: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Calling-Station-Id values that skip the second factor.' }),
      },
      { additionalProperties: false, default: {}, description: 'Who skips the second factor (audited).' },
    ),
    requireGroups: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Reject users in none of these groups; empty: no group required.' }),
    userSource: Type.Optional(
      Type.Union([Type.Literal('firstFactor'), Type.Literal('entra')], {
        description:
          'Where users, groups and phones come from: `firstFactor` (its directory; `none` reads groups from LDAP or local users) or `entra` (Microsoft Graph: a disabled account is rejected, group rules take Entra group object ids, SMS and voice go to the Entra mobile number, an outage goes through `failMode`). `firstFactor: entra` always uses Entra.',
      }),
    ),
    enrollGraceDays: Type.Integer({ minimum: 0, default: 0, description: 'Days a new user may sign in without a second factor while enrolling.' }),
  },
  { additionalProperties: false, description: 'A RADIUS client (NAS).' },
);

const LocalDirectorySchema = Type.Object(
  {
    users: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, description: 'User name (after normalisation).' }),
          passwordHash: Type.String({ pattern: '^\\$argon2id\\$', description: 'argon2id hash from `radius-mfa hash-password`.', ...secret }),
          groups: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Group names, for requireGroups, bypass and groupAttributes.' }),
        },
        { additionalProperties: false },
      ),
      { default: [], description: 'Local users.' },
    ),
  },
  { additionalProperties: false, description: 'Users defined in this file (first factor `local`).' },
);

const LdapDirectorySchema = Type.Object(
  {
    url: Type.String({ pattern: '^ldaps?://', description: 'Directory server, `ldap://host:389` or `ldaps://host:636`.' }),
    bindDn: Type.String({ minLength: 1, description: 'DN of the service account that searches users.' }),
    bindPassword: Type.String({ minLength: 1, description: 'Password of the service account. A placeholder (`change-me`, `xxxx`, `<password>`) is refused; a guessable one is warned about.', ...secret }),
    userSearch: Type.Object(
      {
        base: Type.String({ minLength: 1, description: 'Search base DN.' }),
        filter: Type.String({ pattern: '\\{user\\}', description: 'Search filter; `{user}` is replaced by the escaped user name, e.g. `(sAMAccountName={user})`.' }),
      },
      { additionalProperties: false, description: 'How a user entry is found.' },
    ),
    groupAttribute: Type.String({ default: 'memberOf', description: 'Attribute listing the groups of a user.' }),
    startTls: Type.Boolean({ default: false, description: 'Upgrade an `ldap://` connection with StartTLS.' }),
    tls: Type.Optional(
      Type.Object(
        {
          ca: Type.Optional(Type.String({ minLength: 1, description: 'PEM CA bundle for the server certificate.', ...file })),
          rejectUnauthorized: Type.Boolean({ default: true, description: 'Verify the server certificate (turn off only in a lab).' }),
        },
        { additionalProperties: false, description: 'TLS options for ldaps:// and StartTLS.' },
      ),
    ),
    timeoutSeconds: Type.Integer({ minimum: 1, maximum: 60, default: 5, description: 'Timeout of each LDAP operation.' }),
  },
  { additionalProperties: false, description: 'LDAP / Active Directory (first factor `ldap`).' },
);

const RadiusDirectorySchema = Type.Object(
  {
    servers: Type.Array(Type.String({ pattern: UDP_SERVER_PATTERN, description: 'An upstream server, `udp://host:port` (port 1812 by default).' }), { minItems: 1, description: 'Upstream RADIUS servers, `udp://host:port`, tried in order.' }),
    secret: Type.String({ minLength: 8, description: 'Shared secret with the upstream servers, random (`openssl rand -base64 24`); placeholders, defaults and patterns are refused.', ...secret }),
    timeoutSeconds: Type.Integer({ minimum: 1, maximum: 60, default: 5, description: 'Timeout of each attempt.' }),
    retries: Type.Integer({ minimum: 0, maximum: 5, default: 1, description: 'Retransmissions per server before the next one.' }),
    requireMessageAuthenticator: Type.Boolean({
      default: true,
      description:
        'Refuse upstream answers without a valid Message-Authenticator (BlastRADIUS, CVE-2024-3596). FreeRADIUS ≥ 3.2.5 and patched NPS send it; `false` only for an older upstream (`doctor` warns).',
    }),
  },
  { additionalProperties: false, description: 'Upstream RADIUS (NPS, FreeRADIUS) as first factor `radius`.' },
);

const EntraDirectorySchema = Type.Object(
  {
    tenantId: Type.String({ minLength: 1, description: 'Directory (tenant) id.' }),
    clientId: Type.String({ minLength: 1, description: 'Application (client) id of the app registration.' }),
    clientCertificate: Type.Optional(
      Type.Object(
        {
          key: Type.String({ minLength: 1, description: 'PEM private key.', ...file }),
          cert: Type.String({ minLength: 1, description: 'PEM certificate registered on the app.', ...file }),
        },
        { additionalProperties: false, description: 'Certificate credential (preferred). Exactly one of clientCertificate or clientSecret.' },
      ),
    ),
    clientSecret: Type.Optional(Type.String({ minLength: 1, description: 'Client secret credential (its Value). Exactly one of clientCertificate or clientSecret. A placeholder is refused.', ...secret })),
    authorityHost: Type.String({ pattern: HTTPS_URL_PATTERN, default: 'https://login.microsoftonline.com', description: 'Login authority (sovereign clouds differ).' }),
    graphEndpoint: Type.String({ pattern: HTTPS_URL_PATTERN, default: 'https://graph.microsoft.com', description: 'Microsoft Graph endpoint.' }),
    acsEndpoint: Type.Optional(Type.String({ pattern: HTTPS_URL_PATTERN, description: 'Azure Communication Services endpoint (SMS and voice senders of type `acs`).' })),
    alternateLoginId: Type.Optional(
      Type.Union([Type.Literal('userPrincipalName'), Type.Literal('onPremisesSamAccountName'), Type.Literal('mail')], {
        description: 'Graph property the RADIUS user name is matched against.',
      }),
    ),
    ropc: Type.Boolean({ default: false, description: 'Check passwords with ROPC (first factor `entra`); off: Entra is only the user source.' }),
    smsFrom: Type.Optional(Type.String({ minLength: 1, description: 'ACS sender number for SMS (`mfa.sms.sender.from` takes precedence).' })),
    caCertificates: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'PEM file of CA certificates trusted for Entra, Graph and ACS instead of the system store: a TLS-inspecting proxy\'s CA (or a test stand-in). Applied to this connection only, not through NODE_EXTRA_CA_CERTS.',
        ...file,
      }),
    ),
    cacheTtlSeconds: Type.Integer({ minimum: 0, maximum: 3600, default: 60, description: 'Seconds a Graph answer (user, account state, phone, group membership) is reused; 0: ask Graph every time.' }),
  },
  { additionalProperties: false, description: 'Microsoft Entra ID (first factor `entra`, user lookup, ACS).' },
);

const DirectoriesSchema = Type.Object(
  {
    local: Type.Optional(LocalDirectorySchema),
    ldap: Type.Optional(LdapDirectorySchema),
    radius: Type.Optional(RadiusDirectorySchema),
    entra: Type.Optional(EntraDirectorySchema),
  },
  { additionalProperties: false, default: {}, description: 'First-factor directories; configure those the clients name.' },
);

const TotpSchema = Type.Object(
  {
    issuer: Type.String({ minLength: 1, default: 'radius-mfa', description: 'Issuer shown in authenticator apps.' }),
    digits: Type.Union([Type.Literal(6), Type.Literal(8)], { default: 6, description: 'Code length: 6 or 8.' }),
    period: Type.Integer({ minimum: 15, maximum: 120, default: 30, description: 'Seconds per code (RFC 6238 time step).' }),
    window: Type.Integer({ minimum: 0, maximum: 3, default: 1, description: 'Steps accepted either side of now, for clock drift.' }),
    algorithm: Type.Union([Type.Literal('SHA1'), Type.Literal('SHA256'), Type.Literal('SHA512')], { default: 'SHA1', description: 'HMAC algorithm (most apps support only SHA1).' }),
    maxAttempts: Type.Integer({ minimum: 1, default: 5, description: 'Wrong codes before the user is locked out.' }),
    lockoutSeconds: Type.Integer({ minimum: 1, default: 300, description: 'Length of a lockout.' }),
  },
  { additionalProperties: false, default: {}, description: 'TOTP (RFC 6238) second factor.' },
);

const WebhookSenderSchema = Type.Object(
  {
    type: Type.Literal('webhook', { description: '`webhook`' }),
    url: Type.String({ pattern: HTTP_URL_PATTERN, description: 'URL that receives a JSON POST.' }),
    signingSecret: Type.Optional(Type.String({ minLength: 16, description: 'HMAC-SHA256 key; signs each POST in a header. Random (`openssl rand -base64 32`): placeholders and patterns are refused.', ...secret })),
  },
  { additionalProperties: false, description: 'POST a JSON payload to a URL.' },
);

const NtfyNotifierSchema = Type.Object(
  {
    type: Type.Literal('ntfy', { description: '`ntfy`' }),
    url: Type.String({ pattern: HTTP_URL_PATTERN, description: 'ntfy server base URL.' }),
    topic: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "Operator override: one fixed topic for every push, so everyone subscribed sees (and can answer) every user's pushes; `config check` warns. Leave it out: each push enrollment then gets the user's own random topic (sealed in Redis, shown once on the enrollment page or in the admin API answer).",
      }),
    ),
    token: Type.Optional(Type.String({ minLength: 1, description: 'ntfy access token (`ntfy token add`); a placeholder is refused.', ...secret })),
  },
  { additionalProperties: false, description: 'Publish to an ntfy server.' },
);

const AcsSenderSchema = Type.Object(
  {
    type: Type.Literal('acs', { description: '`acs`' }),
    from: Type.String({ minLength: 1, description: 'Sender phone number (E.164) in Azure Communication Services.' }),
  },
  { additionalProperties: false, description: 'Azure Communication Services (needs directories.entra with acsEndpoint).' },
);

const PushSchema = Type.Object(
  {
    numberMatching: Type.Boolean({ default: true, description: 'Show a number at sign-in that must be typed into the approval (where a challenge can show it).' }),
    timeoutSeconds: Type.Integer({ minimum: 10, maximum: 600, default: 60, description: 'How long a push may be answered.' }),
    notifier: Type.Union([WebhookSenderSchema, NtfyNotifierSchema], { description: 'How pushes reach the phone: `webhook` or `ntfy`.' }),
    limits: Type.Object(
      {
        perMinute: Type.Integer({ minimum: 1, default: 3, description: 'Pushes per user per minute.' }),
        perHour: Type.Integer({ minimum: 1, default: 10, description: 'Pushes per user per hour.' }),
      },
      { additionalProperties: false, default: {}, description: 'Push rate limits per user (against push fatigue).' },
    ),
    suppressAfterDenials: Type.Integer({ minimum: 1, default: 3, description: 'Consecutive denials after which pushes stop until an admin unlocks.' }),
  },
  { additionalProperties: false, description: 'Push approval second factor.' },
);

const SmsSchema = Type.Object(
  {
    sender: Type.Union([WebhookSenderSchema, AcsSenderSchema], { description: 'How texts are sent: `webhook` or `acs`.' }),
    codeLength: Type.Integer({ minimum: 6, maximum: 10, default: 6, description: 'Digits of a code.' }),
    ttlSeconds: Type.Integer({ minimum: 30, maximum: 900, default: 300, description: 'How long a code is valid.' }),
    maxAttempts: Type.Integer({ minimum: 1, default: 3, description: 'Wrong codes before the code is void.' }),
  },
  { additionalProperties: false, description: 'SMS one-time code second factor.' },
);

const AcsVoiceSenderSchema = Type.Object(
  {
    type: Type.Literal('acs', { description: '`acs`' }),
    from: Type.String({ minLength: 1, description: 'Caller id (E.164) of an ACS number that may place calls.' }),
    callbackSecret: Type.String({
      minLength: 32,
      description: 'Key (random, at least 32 characters, e.g. `openssl rand -base64 32` from the environment; placeholders and patterns are refused) that signs each Call Automation callback URL, so a forged callback cannot approve a sign-in. The same on every worker and results-api.',
      ...secret,
    }),
    callbackBaseUrl: Type.Optional(
      Type.String({ pattern: HTTP_URL_PATTERN, description: 'Public base URL of results-api as ACS reaches it (callbacks go to `{base}/v1/voice/callback/{id}`); default `api.publicUrl`.' }),
    ),
    cognitiveServicesEndpoint: Type.Optional(
      Type.String({ pattern: HTTPS_URL_PATTERN, description: 'Azure AI services endpoint linked to the ACS resource, which speaks the text prompt. Set this or `promptUrl`.' }),
    ),
    promptUrl: Type.Optional(Type.String({ pattern: HTTP_URL_PATTERN, description: 'Audio file (WAV) played instead of a spoken text prompt. Set this or `cognitiveServicesEndpoint`.' })),
    promptText: Type.Optional(Type.String({ minLength: 1, maxLength: 400, description: 'Text spoken with `cognitiveServicesEndpoint`; default: "…press the pound key to approve…".' })),
  },
  { additionalProperties: false, description: 'Approval call through ACS Call Automation: the person presses # to approve (needs directories.entra with acsEndpoint).' },
);

const VoiceSchema = Type.Object(
  {
    sender: Type.Union(
      [WebhookSenderSchema, AcsVoiceSenderSchema],
      { description: 'How calls are placed: `webhook` (a gateway reads a code out) or `acs` (an approval call: press #).' },
    ),
    ttlSeconds: Type.Integer({ minimum: 30, maximum: 900, default: 120, description: 'How long a call may be answered.' }),
  },
  { additionalProperties: false, description: 'Voice call second factor.' },
);

const MfaSchema = Type.Object(
  {
    totp: TotpSchema,
    push: Type.Optional(PushSchema),
    sms: Type.Optional(SmsSchema),
    voice: Type.Optional(VoiceSchema),
  },
  { additionalProperties: false, default: {}, description: 'Second factors.' },
);

export const ConfigSchema = Type.Object(
  {
    redis: RedisSchema,
    radius: RadiusSchema,
    api: ApiSchema,
    ops: OpsSchema,
    log: LogSchema,
    security: SecuritySchema,
    userNames: UserNamesSchema,
    clients: Type.Array(ClientSchema, { default: [], description: 'RADIUS clients (NAS) allowed to send requests.' }),
    directories: DirectoriesSchema,
    mfa: MfaSchema,
  },
  { additionalProperties: false, description: 'radius-mfa configuration.' },
);

/** The validated configuration, defaults applied. `api.publicUrl` is always set by parseConfig. */
export type Config = Static<typeof ConfigSchema>;
export type ClientConfig = Config['clients'][number];
export type ReplyAttribute = ClientConfig['attributes'][number];
export type SecondFactorMethod = ClientConfig['methods'][number];
export type FirstFactor = ClientConfig['firstFactor'];
export type RedisConfig = Config['redis'];
export type DirectoriesConfig = Config['directories'];
export type MfaConfig = Config['mfa'];
export type LogLevel = Config['log']['level'];
