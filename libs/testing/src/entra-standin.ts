/**
 * A local HTTPS stand-in shaped like Microsoft Entra ID (AAD protocol mode), Microsoft
 * Graph and Azure Communication Services SMS, for tests that run @azure/msal-node
 * unmodified. Certificates are generated with `openssl` at start (a CA, a server
 * certificate for 127.0.0.1/localhost) and thrown away at `close()`.
 *
 * It checks what Entra checks and answers with Entra's error shapes (AADSTS numbers in
 * `error_codes`, Graph `{ error: { code, message } }`), so the client's error handling is
 * exercised against the real wire form.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, randomUUID, verify, X509Certificate, constants } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The ACS token audience, as the Azure SDK requests it. */
const ACS_RESOURCE = 'https://communication.azure.com/';

export interface TestCertificate {
  /** PEM texts. */
  readonly key: string;
  readonly cert: string;
  /** Paths of the same PEM files. */
  readonly keyFile: string;
  readonly certFile: string;
}

/** A throwaway PKI: a CA and the certificates it signs. */
export interface TestPki {
  readonly dir: string;
  readonly ca: TestCertificate;
  /** A server certificate for 127.0.0.1 and localhost. */
  readonly server: TestCertificate;
  /** A new key pair and certificate; `expired` gives one whose validity ended in 2020. */
  issue(name: string, options?: { expired?: boolean }): TestCertificate;
  remove(): void;
}

function openssl(cwd: string, args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function certificateIn(dir: string, name: string): TestCertificate {
  const keyFile = join(dir, `${name}.key.pem`);
  const certFile = join(dir, `${name}.cert.pem`);
  return { keyFile, certFile, key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}

/** Generates a CA and a server certificate with `openssl` in a fresh temporary directory. */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'rmfa-pki-'));
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key.pem', '-out', 'ca.cert.pem', '-subj', '/CN=radius-mfa test CA', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  // `openssl ca` is the one 3.0 command that takes explicit validity dates (for expired certificates).
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'db', 'index'), '');
  writeFileSync(join(dir, 'db', 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    ['[ca]', 'default_ca = test', '[test]', 'database = db/index', 'new_certs_dir = db', 'serial = db/serial', 'default_md = sha256', 'policy = anything', 'unique_subject = no', 'copy_extensions = copy', '[anything]', 'commonName = supplied', ''].join('\n'),
  );
  const issue = (name: string, options: { expired?: boolean; san?: string } = {}): TestCertificate => {
    const extensions = options.san ? ['-addext', `subjectAltName=${options.san}`] : [];
    openssl(dir, ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`, ...extensions]);
    const validity = options.expired ? ['-startdate', '20200101000000Z', '-enddate', '20200102000000Z'] : ['-days', '2'];
    openssl(dir, ['ca', '-batch', '-notext', '-config', 'ca.cnf', '-cert', 'ca.cert.pem', '-keyfile', 'ca.key.pem', '-in', `${name}.csr`, '-out', `${name}.cert.pem`, ...validity]);
    return certificateIn(dir, name);
  };
  const server = issue('server', { san: 'IP:127.0.0.1,DNS:localhost' });
  return { dir, ca: certificateIn(dir, 'ca'), server, issue: (name, options) => issue(name, options), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface EntraStandinApp {
  clientId: string;
  /** A client secret the app accepts. */
  secret?: string;
  /** PEM certificates registered as the app's key credentials. */
  certificates?: string[];
  /** Graph application permissions granted with admin consent, e.g. `User.Read.All`. */
  graphPermissions?: string[];
  /** Whether the app holds a role on the ACS resource. */
  acsAccess?: boolean;
}

export interface EntraStandinPhone {
  phoneType: 'mobile' | 'alternateMobile' | 'office';
  phoneNumber: string;
}

export interface EntraStandinUser {
  id: string;
  userPrincipalName: string;
  mail?: string;
  onPremisesSamAccountName?: string;
  displayName?: string;
  accountEnabled: boolean;
  /** Cloud password for ROPC; absent for a federated user. */
  password?: string;
  /** Object ids of the groups the user is in, transitively. */
  groups?: string[];
  phones?: EntraStandinPhone[];
  /** Forces an AADSTS number on this user's ROPC after the password checks out (50076: MFA required...). */
  ropcError?: number;
}

/** How the stand-in's callee answers a Call Automation call: a DTMF tone name, silence, or not at all. */
export type EntraStandinCallAnswer = { tone: string } | 'silence' | 'no-answer';

export interface EntraStandinCall {
  callConnectionId: string;
  to: string;
  from: string;
  callbackUri: string;
  /** The prompt text or file URI the callee heard. */
  prompts: string[];
  terminated: boolean;
}

export interface EntraStandinCounters {
  /** Token requests by grant type. */
  tokens: { client_credentials: number; password: number };
  graph: number;
  sms: number;
}

export interface EntraStandinSms {
  from: string;
  to: string;
  message: string;
}

export interface EntraStandin {
  readonly tenantId: string;
  /** `https://127.0.0.1:PORT`: msal's authority host (the authority is `${authorityHost}/${tenantId}`). */
  readonly authorityHost: string;
  /** Graph base, without `/v1.0`. */
  readonly graphEndpoint: string;
  readonly acsEndpoint: string;
  /** The CA that signed the server certificate (PEM), to pin in the client. */
  readonly caPem: string;
  readonly pki: TestPki;
  readonly apps: Map<string, EntraStandinApp>;
  readonly users: Map<string, EntraStandinUser>;
  readonly counters: EntraStandinCounters;
  readonly smsOutbox: EntraStandinSms[];
  /** Call Automation calls placed, by callConnectionId. */
  readonly calls: Map<string, EntraStandinCall>;
  /** How each number answers (E.164); unset numbers press #. */
  readonly callAnswers: Map<string, EntraStandinCallAnswer>;
  /** Graph answers 503 to everything while true. */
  graphDown: boolean;
  /** The token endpoint answers this HTTP status (429, 503) while set, with `Retry-After: tokenRetryAfterSeconds`. */
  tokenFailureStatus: number | undefined;
  tokenRetryAfterSeconds: number;
  /** Lifetime of issued access tokens. */
  tokenLifetimeSeconds: number;
  /** The stand-in's clock runs this far from the machine's (clock-skew tests). */
  clockOffsetSeconds: number;
  /** The next `count` Graph requests get 429 with this Retry-After. */
  throttleGraph(count: number, retryAfterSeconds: number): void;
  addApp(app: EntraStandinApp): void;
  addUser(user: EntraStandinUser): void;
  close(): Promise<void>;
}

interface IssuedToken {
  clientId: string;
  audience: string;
  roles: string[];
  expiresAt: number;
}

interface TokenError {
  status: number;
  error: string;
  code: number;
  description: string;
}

class StandinRequestError extends Error {
  constructor(readonly failure: TokenError) {
    super(failure.description);
  }
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

function graphError(response: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(response, status, { error: { code, message, innerError: { 'request-id': randomUUID(), date: new Date().toISOString() } } }, headers);
}

/** Parses `attr eq 'value'` (with '' for a quote), the only OData filter form the client sends. */
function parseEqFilter(filter: string): { attribute: string; value: string } | undefined {
  const match = /^(\w+) eq '((?:[^']|'')*)'$/.exec(filter);
  return match ? { attribute: match[1]!, value: match[2]!.replaceAll("''", "'") } : undefined;
}

const DEFAULT_USER_FIELDS = ['id', 'userPrincipalName', 'mail', 'displayName'];

export async function startEntraStandin(options: { tenantId?: string } = {}): Promise<EntraStandin> {
  const tenantId = options.tenantId ?? randomUUID();
  const pki = createTestPki();
  const issued = new Map<string, IssuedToken>();
  let graphThrottle = { remaining: 0, retryAfterSeconds: 0 };
  let origin = '';

  const standin: EntraStandin = {
    tenantId,
    get authorityHost() {
      return origin;
    },
    get graphEndpoint() {
      return `${origin}/graph`;
    },
    get acsEndpoint() {
      return `${origin}/acs`;
    },
    caPem: pki.ca.cert,
    pki,
    apps: new Map(),
    users: new Map(),
    counters: { tokens: { client_credentials: 0, password: 0 }, graph: 0, sms: 0 },
    smsOutbox: [],
    calls: new Map(),
    callAnswers: new Map(),
    graphDown: false,
    tokenFailureStatus: undefined,
    tokenRetryAfterSeconds: 30,
    tokenLifetimeSeconds: 3599,
    clockOffsetSeconds: 0,
    throttleGraph(count, retryAfterSeconds) {
      graphThrottle = { remaining: count, retryAfterSeconds };
    },
    addApp(app) {
      standin.apps.set(app.clientId, app);
    },
    addUser(user) {
      standin.users.set(user.id, user);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          pki.remove();
          resolve();
        });
      }),
  };

  const nowSeconds = (): number => Math.floor(Date.now() / 1000) + standin.clockOffsetSeconds;
  const tokenEndpoint = (): string => `${origin}/${tenantId}/oauth2/v2.0/token`;
  const failure = (status: number, error: string, code: number, text: string): StandinRequestError =>
    new StandinRequestError({ status, error, code, description: `AADSTS${code}: ${text} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}` });

  /** The client's identity: a secret or a certificate-signed assertion (RFC 7523), checked as Entra does. */
  const authenticateClient = (params: URLSearchParams): EntraStandinApp => {
    const clientId = params.get('client_id') ?? '';
    const app = standin.apps.get(clientId);
    if (!app) {
      throw failure(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`);
    }
    const secret = params.get('client_secret');
    const assertion = params.get('client_assertion');
    if (secret !== null) {
      if (secret !== app.secret) throw failure(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
      return app;
    }
    if (assertion === null) throw failure(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    const [headerPart = '', payloadPart = '', signaturePart = ''] = assertion.split('.');
    const header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as Record<string, unknown>;
    const payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as Record<string, unknown>;
    const thumbprint = typeof header['x5t#S256'] === 'string' ? Buffer.from(header['x5t#S256'], 'base64url').toString('hex') : undefined;
    const registered = (app.certificates ?? []).map((pem) => new X509Certificate(pem)).find((cert) => cert.fingerprint256.replaceAll(':', '').toLowerCase() === thumbprint);
    if (!registered) throw failure(401, 'invalid_client', 700027, `Client assertion failed signature validation. Key was not found. The certificate with thumbprint '${thumbprint ?? ''}' is not registered on application '${clientId}'.`);
    if (Date.parse(registered.validTo) / 1000 < nowSeconds()) {
      throw failure(401, 'invalid_client', 700027, `The certificate with identifier used to sign the client assertion is expired on application. [Reason - The key used is expired., Thumbprint of key used by client: '${thumbprint}']`);
    }
    const algorithm = header['alg'];
    const signed = Buffer.from(`${headerPart}.${payloadPart}`);
    const signature = Buffer.from(signaturePart, 'base64url');
    const key = createPublicKey(registered.publicKey.export({ type: 'spki', format: 'pem' }));
    const valid =
      algorithm === 'PS256'
        ? verify('sha256', signed, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature)
        : algorithm === 'RS256' && verify('sha256', signed, key, signature);
    if (!valid) throw failure(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
    if (payload['aud'] !== tokenEndpoint()) throw failure(401, 'invalid_client', 700021, 'Client assertion application identifier doesn\'t match \'client_id\' parameter.');
    const now = nowSeconds();
    const notBefore = Number(payload['nbf']);
    const expiry = Number(payload['exp']);
    // Entra allows five minutes of skew either way.
    if (!(notBefore - 300 <= now && now <= expiry + 300)) {
      throw failure(401, 'invalid_client', 700024, `Client assertion is not within its valid time range. Current time: ${new Date(now * 1000).toISOString()}, assertion valid from ${new Date(notBefore * 1000).toISOString()}, expiry time of assertion ${new Date(expiry * 1000).toISOString()}.`);
    }
    return app;
  };

  const issueAccessToken = (app: EntraStandinApp, scope: string): { token: string; audience: string } => {
    const resource = scope.split(' ').find((s) => s.endsWith('/.default'))?.slice(0, -'/.default'.length) ?? `${origin}/graph`;
    const audience = resource === `${origin}/graph` || resource === `${origin}/graph/` ? 'graph' : resource === ACS_RESOURCE ? 'acs' : resource;
    const roles = audience === 'graph' ? (app.graphPermissions ?? []) : audience === 'acs' && app.acsAccess ? ['acs'] : [];
    const token = randomBytes(24).toString('base64url');
    issued.set(token, { clientId: app.clientId, audience, roles, expiresAt: nowSeconds() + standin.tokenLifetimeSeconds });
    return { token, audience };
  };

  const handleToken = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const params = new URLSearchParams(await readBody(request));
    const grant = params.get('grant_type');
    if (grant === 'client_credentials' || grant === 'password') standin.counters.tokens[grant] += 1;
    if (standin.tokenFailureStatus !== undefined) {
      const status = standin.tokenFailureStatus;
      sendJson(response, status, { error: status === 429 ? 'temporarily_unavailable' : 'server_error', error_description: 'AADSTS90033: A transient error has occurred. Please try again.', error_codes: [90033] }, { 'retry-after': String(standin.tokenRetryAfterSeconds) });
      return;
    }
    const app = authenticateClient(params);
    if (grant === 'client_credentials') {
      const { token } = issueAccessToken(app, params.get('scope') ?? '');
      sendJson(response, 200, { token_type: 'Bearer', expires_in: standin.tokenLifetimeSeconds, ext_expires_in: standin.tokenLifetimeSeconds, access_token: token });
      return;
    }
    if (grant !== 'password') throw failure(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant ?? ''}'.`);
    const username = (params.get('username') ?? '').toLowerCase();
    const user = [...standin.users.values()].find((u) => u.userPrincipalName.toLowerCase() === username);
    if (!user) throw failure(400, 'invalid_grant', 50034, `The user account ${username} does not exist in the ${tenantId} directory.`);
    if (user.password === undefined) throw failure(400, 'invalid_grant', 50056, 'Invalid or null password: password does not exist in the directory for this user.');
    if (params.get('password') !== user.password) throw failure(400, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password.');
    if (!user.accountEnabled) throw failure(400, 'invalid_grant', 50057, 'The user account is disabled.');
    if (user.ropcError !== undefined) throw failure(400, user.ropcError === 53003 ? 'access_denied' : 'invalid_grant', user.ropcError, 'Forced by the stand-in for this user.');
    const { token } = issueAccessToken(app, params.get('scope') ?? '');
    const now = nowSeconds();
    const idToken = `${base64UrlJson({ alg: 'none', typ: 'JWT' })}.${base64UrlJson({ aud: app.clientId, iss: `${origin}/${tenantId}/v2.0`, iat: now, nbf: now, exp: now + 3600, oid: user.id, sub: user.id, tid: tenantId, preferred_username: user.userPrincipalName, name: user.displayName ?? user.userPrincipalName, ver: '2.0' })}.`;
    sendJson(response, 200, {
      token_type: 'Bearer',
      scope: params.get('scope') ?? '',
      expires_in: standin.tokenLifetimeSeconds,
      ext_expires_in: standin.tokenLifetimeSeconds,
      access_token: token,
      refresh_token: randomBytes(24).toString('base64url'),
      id_token: idToken,
      client_info: base64UrlJson({ uid: user.id, utid: tenantId }),
    });
  };

  const requireToken = (request: IncomingMessage, audience: string): IssuedToken | undefined => {
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const token = bearer ? issued.get(bearer) : undefined;
    return token && token.audience === audience && token.expiresAt > nowSeconds() ? token : undefined;
  };

  const selectFields = (user: EntraStandinUser, select: string | null): Record<string, unknown> => {
    const fields = select ? select.split(',') : DEFAULT_USER_FIELDS;
    const record = user as unknown as Record<string, unknown>;
    return Object.fromEntries(fields.map((field) => [field, record[field] ?? null]));
  };

  const handleGraph = async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    standin.counters.graph += 1;
    if (standin.graphDown) return graphError(response, 503, 'serviceNotAvailable', 'The service is temporarily unavailable.');
    if (graphThrottle.remaining > 0) {
      graphThrottle.remaining -= 1;
      return graphError(response, 429, 'TooManyRequests', 'Too many requests.', { 'retry-after': String(graphThrottle.retryAfterSeconds) });
    }
    const token = requireToken(request, 'graph');
    if (!token) return graphError(response, 401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.');
    const allowed = (...permissions: string[]): boolean => permissions.some((p) => token.roles.includes(p)) || token.roles.includes('Directory.Read.All');
    const denied = (): void => graphError(response, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    const path = url.pathname.replace(/^\/graph\/v1\.0/, '');
    const select = url.searchParams.get('$select');
    const findUser = (key: string): EntraStandinUser | undefined =>
      standin.users.get(key) ?? [...standin.users.values()].find((u) => u.userPrincipalName.toLowerCase() === key.toLowerCase());

    if (request.method === 'GET' && path === '/users') {
      if (!allowed('User.Read.All')) return denied();
      const filter = parseEqFilter(url.searchParams.get('$filter') ?? '');
      if (!filter || !['userPrincipalName', 'mail', 'onPremisesSamAccountName'].includes(filter.attribute)) {
        return graphError(response, 400, 'Request_UnsupportedQuery', 'Unsupported or invalid query filter clause specified.');
      }
      // onPremisesSamAccountName is an advanced-query property in Graph.
      if (filter.attribute === 'onPremisesSamAccountName' && (request.headers['consistencylevel'] !== 'eventual' || url.searchParams.get('$count') !== 'true')) {
        return graphError(response, 400, 'Request_UnsupportedQuery', "Unsupported or invalid query filter clause specified for property 'onPremisesSamAccountName' of resource 'User'.");
      }
      const matches = [...standin.users.values()].filter((u) => {
        const value = (u as unknown as Record<string, unknown>)[filter.attribute];
        return typeof value === 'string' && value.toLowerCase() === filter.value.toLowerCase();
      });
      return sendJson(response, 200, { '@odata.count': matches.length, value: matches.map((u) => selectFields(u, select)) });
    }
    const userRoute = /^\/users\/([^/]+)(\/.*)?$/.exec(path);
    if (!userRoute) return graphError(response, 400, 'BadRequest', `Resource not found for the segment '${path}'.`);
    const user = findUser(decodeURIComponent(userRoute[1]!));
    const rest = userRoute[2] ?? '';
    if (request.method === 'GET' && rest === '') {
      if (!allowed('User.Read.All')) return denied();
      if (!user) return graphError(response, 404, 'Request_ResourceNotFound', `Resource '${userRoute[1]!}' does not exist or one of its queried reference-property objects are not present.`);
      return sendJson(response, 200, selectFields(user, select));
    }
    if (request.method === 'POST' && (rest === '/checkMemberGroups' || rest === '/getMemberGroups')) {
      if (!allowed('GroupMember.Read.All', 'Group.Read.All')) return denied();
      if (!user) return graphError(response, 404, 'Request_ResourceNotFound', 'Resource does not exist.');
      const body = JSON.parse(await readBody(request)) as { groupIds?: string[] };
      if (rest === '/getMemberGroups') return sendJson(response, 200, { value: user.groups ?? [] });
      const asked = body.groupIds ?? [];
      if (asked.length > 20) return graphError(response, 400, 'Request_BadRequest', 'The number of group ids is more than the maximum 20.');
      return sendJson(response, 200, { value: asked.filter((id) => (user.groups ?? []).includes(id)) });
    }
    if (request.method === 'GET' && rest === '/authentication/phoneMethods') {
      if (!allowed('UserAuthenticationMethod.Read.All')) return denied();
      if (!user) return graphError(response, 404, 'Request_ResourceNotFound', 'Resource does not exist.');
      const ids = { mobile: '3179e48a-750b-4051-897c-87b9720928f7', alternateMobile: 'b6332ec1-7057-4abe-9331-3d72feddfe41', office: 'e37fc753-ff3b-4958-9484-eaa9425c82bc' };
      return sendJson(response, 200, { value: (user.phones ?? []).map((p) => ({ id: ids[p.phoneType], phoneNumber: p.phoneNumber, phoneType: p.phoneType, smsSignInState: 'notSupported' })) });
    }
    return graphError(response, 400, 'BadRequest', `Unsupported request ${request.method ?? ''} ${path}`);
  };

  /** Delivers Call Automation events (CloudEvents, in an array) to the call's callback URI, after the current answer. */
  const postEvents = (call: EntraStandinCall, type: string, data: Record<string, unknown> = {}): void => {
    const event = { id: randomUUID(), source: `calling/callConnections/${call.callConnectionId}`, type: `Microsoft.Communication.${type}`, specversion: '1.0', datacontenttype: 'application/json', time: new Date().toISOString(), subject: `calling/callConnections/${call.callConnectionId}`, data: { callConnectionId: call.callConnectionId, serverCallId: `server-${call.callConnectionId}`, correlationId: randomUUID(), ...data } };
    setImmediate(() => {
      fetch(call.callbackUri, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([event]) }).catch(() => undefined);
    });
  };

  const handleCallAutomation = async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    if (url.searchParams.get('api-version') !== '2023-10-15') return sendJson(response, 400, { error: { code: 'UnsupportedApiVersion', message: 'Unsupported api-version' } });
    const path = url.pathname.slice('/acs/calling/callConnections'.length);
    if (request.method === 'POST' && path === '') {
      const body = JSON.parse(await readBody(request)) as { targets?: { kind?: string; phoneNumber?: { value?: string } }[]; sourceCallerIdNumber?: { value?: string }; callbackUri?: string };
      const to = body.targets?.[0]?.phoneNumber?.value;
      if (!to || !body.callbackUri || !body.sourceCallerIdNumber?.value) return sendJson(response, 400, { error: { code: 'BadRequest', message: 'targets, sourceCallerIdNumber and callbackUri are required' } });
      const call: EntraStandinCall = { callConnectionId: randomUUID(), to, from: body.sourceCallerIdNumber.value, callbackUri: body.callbackUri, prompts: [], terminated: false };
      standin.calls.set(call.callConnectionId, call);
      sendJson(response, 201, { callConnectionId: call.callConnectionId, serverCallId: `server-${call.callConnectionId}`, targets: body.targets, callConnectionState: 'connecting', callbackUri: call.callbackUri });
      if (standin.callAnswers.get(to) === 'no-answer') postEvents(call, 'CreateCallFailed', { resultInformation: { code: 408, subCode: 8526, message: 'Call not answered.' } });
      else postEvents(call, 'CallConnected');
      return;
    }
    const callRoute = /^\/([^/:]+)(:recognize|:terminate)?$/.exec(path);
    const call = callRoute ? standin.calls.get(decodeURIComponent(callRoute[1]!)) : undefined;
    if (!call) return sendJson(response, 404, { error: { code: 'NotFound', message: 'Call not found' } });
    if (request.method === 'GET' && !callRoute![2]) {
      return sendJson(response, 200, { callConnectionId: call.callConnectionId, targets: [{ kind: 'phoneNumber', phoneNumber: { value: call.to } }], callConnectionState: call.terminated ? 'disconnected' : 'connected', callbackUri: call.callbackUri });
    }
    if (request.method === 'POST' && callRoute![2] === ':recognize') {
      const body = JSON.parse(await readBody(request)) as { recognizeInputType?: string; playPrompt?: { text?: { text?: string }; file?: { uri?: string } }; recognizeOptions?: { targetParticipant?: { phoneNumber?: { value?: string } } } };
      if (body.recognizeInputType !== 'dtmf' || body.recognizeOptions?.targetParticipant?.phoneNumber?.value !== call.to) return sendJson(response, 400, { error: { code: 'BadRequest', message: 'dtmf recognition of the callee expected' } });
      call.prompts.push(body.playPrompt?.text?.text ?? body.playPrompt?.file?.uri ?? '');
      response.writeHead(202).end();
      const answer = standin.callAnswers.get(call.to) ?? { tone: 'pound' };
      if (answer === 'silence') postEvents(call, 'RecognizeFailed', { resultInformation: { code: 400, subCode: 8510, message: 'Action failed, initial silence timeout reached.' } });
      else if (typeof answer === 'object') postEvents(call, 'RecognizeCompleted', { recognitionType: 'dtmf', dtmfResult: { tones: [answer.tone] }, resultInformation: { code: 200, subCode: 8514, message: 'Action completed, max digits received.' } });
      return;
    }
    if (request.method === 'POST' && callRoute![2] === ':terminate') {
      call.terminated = true;
      response.writeHead(204).end();
      postEvents(call, 'CallDisconnected');
      return;
    }
    return sendJson(response, 400, { error: { code: 'BadRequest', message: 'Unsupported call operation' } });
  };

  const handleAcs = async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    const token = requireToken(request, 'acs');
    if (!token) return sendJson(response, 401, { error: { code: 'Unauthorized', message: 'Bearer token missing or invalid' } });
    if (!token.roles.includes('acs')) return sendJson(response, 403, { error: { code: 'Forbidden', message: 'The principal does not have a role on this Communication Services resource.' } });
    if (url.pathname.startsWith('/acs/calling/callConnections')) return handleCallAutomation(request, response, url);
    if (url.pathname !== '/acs/sms' || request.method !== 'POST') return sendJson(response, 404, { error: { code: 'NotFound', message: 'Not found' } });
    if (url.searchParams.get('api-version') !== '2021-03-07') return sendJson(response, 400, { error: { code: 'UnsupportedApiVersion', message: 'Unsupported api-version' } });
    const body = JSON.parse(await readBody(request)) as { from?: string; smsRecipients?: { to?: string }[]; message?: string };
    standin.counters.sms += 1;
    const value = (body.smsRecipients ?? []).map((recipient) => {
      const to = recipient.to ?? '';
      const ok = /^\+[1-9]\d{6,14}$/.test(to);
      if (ok) standin.smsOutbox.push({ from: body.from ?? '', to, message: body.message ?? '' });
      return { to, messageId: ok ? `Outgoing_${randomUUID()}_noam` : null, httpStatusCode: ok ? 202 : 400, successful: ok, errorMessage: ok ? null : 'Invalid To phone number format.' };
    });
    return sendJson(response, 202, { value });
  };

  const server: Server = createServer({ key: pki.server.key, cert: pki.server.cert }, (request, response) => {
    const url = new URL(request.url ?? '/', origin);
    const route = async (): Promise<void> => {
      if (url.pathname.startsWith('/graph/')) return handleGraph(request, response, url);
      if (url.pathname.startsWith('/acs/')) return handleAcs(request, response, url);
      const tenantRoute = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/token)$/.exec(url.pathname);
      if (!tenantRoute) return sendJson(response, 404, { error: 'not_found' });
      if (tenantRoute[1] !== tenantId) {
        throw failure(400, 'invalid_tenant', 90002, `Tenant '${tenantRoute[1]!}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
      }
      if (tenantRoute[2] !== 'oauth2/v2.0/token') {
        const base = `${origin}/${tenantId}`;
        return sendJson(response, 200, {
          token_endpoint: `${base}/oauth2/v2.0/token`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          issuer: `${base}/v2.0`,
          jwks_uri: `${base}/discovery/v2.0/keys`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        });
      }
      if (request.method !== 'POST') return sendJson(response, 405, { error: 'invalid_request' });
      return handleToken(request, response);
    };
    route().catch((error: unknown) => {
      if (error instanceof StandinRequestError) {
        const { status, error: kind, code, description } = error.failure;
        sendJson(response, status, { error: kind, error_description: description, error_codes: [code], timestamp: new Date().toISOString(), trace_id: randomUUID(), correlation_id: randomUUID(), error_uri: `${origin}/error?code=${code}` });
      } else {
        sendJson(response, 500, { error: 'server_error', error_description: String(error) });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('stand-in did not bind');
  origin = `https://127.0.0.1:${address.port}`;
  return standin;
}

/** SHA-256 thumbprint (hex) of a PEM certificate, as Entra shows it. */
export function certificateThumbprintSha256(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}
