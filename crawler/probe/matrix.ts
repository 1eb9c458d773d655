/**
 * Probe one Matrix homeserver without an account: resolution (spec order),
 * well-knowns, TLS, federation version and keys, client versions, login
 * flows, registration mode (one empty `POST /register`, never completed),
 * public rooms and public space hierarchies, conduwuit-family user counts,
 * IPv4/IPv6 reachability. Orchestration only: crawler/net fetches,
 * crawler/protocol parses. A bad server never throws out of here: every
 * failure is a ProbeError code in an observation and in the snapshot.
 *
 * The `.well-known` documents are fetched without consulting robots.txt:
 * they are RFC 8615 metadata that every federating server must fetch; every
 * `/_matrix/` request honours robots.txt of its origin (RFC 9309).
 */
import { LRUCache } from 'lru-cache';
import { isProbeErrorCode, ProbeError, type ProbeErrorCode } from '../errors.ts';
import type { NetContext } from '../net/context.ts';
import { fetchBounded } from '../net/http.ts';
import { inspectTls } from '../net/tls-inspect.ts';
import { probeErrorCodeFor } from '../net/to-probe-error.ts';
import { deadlineSignal } from '../net/deadline.ts';
import { resolveMatrixServer, type MatrixEndpoint, type WellKnownResult } from '../discover/matrix-resolve.ts';
import { matrixDiscoveries } from '../discover/matrix-frontier.ts';
import { parseServerName } from '../protocol/matrix-server-name.ts';
import { parseWellKnownClient, parseWellKnownSupport, type WellKnownSupport } from '../protocol/matrix-well-known.ts';
import { parseClientVersions, parseFederationVersion, type ClientVersions, type FederationVersion } from '../protocol/matrix-versions.ts';
import { parseLoginFlows, type LoginFlows } from '../protocol/matrix-login.ts';
import { decideRegistration, parseAuthMetadata, parseRegisterResponse, type AuthMetadata, type RegisterProbe } from '../protocol/matrix-register.ts';
import { parseServerKeys } from '../protocol/matrix-keys.ts';
import { parseLocalUserCount } from '../protocol/matrix-user-count.ts';
import { identifySoftware, unrecognisedNote } from '../identify/software.ts';
import { MATRIX_RULES } from '../identify/matrix-rules.ts';
import { roleNote } from '../software-role.ts';
import type { Outcome, ProbeResult, ReportItem, RoomSnapshot, ServerSnapshot, SupportStatements, TlsFacts } from '../types.ts';
import { MatrixRecorder, type Origin } from './matrix-http.ts';
import { DEFAULT_ROOM_WALK, federationDirectory, walkRooms, type RoomWalk, type RoomWalkLimits } from './matrix-rooms.ts';
import { combineDirectories, directoryReport } from './matrix-directories.ts';
import { aliasServers } from './matrix-aliases.ts';
import type { FederationIdentity } from './matrix-signed.ts';
import { federatesFrom } from '../protocol/matrix-rooms.ts';
import { reachability } from './matrix-reachability.ts';
import { matrixStatus } from './matrix-status.ts';
import { FACT_KINDS, withPrerequisites, type FactKind } from '../fact-kinds.ts';
import type { BudgetScope, RequestLogEntry } from '../net/request-budget.ts';
import { paceOf } from '../policy/politeness.ts';
import type { PaceSignals } from '../policy/cadence.ts';

/** Options of {@link probeMatrix}. */
export interface MatrixProbeOptions {
  passId: string;
  /** Clock for observation times. @default () => new Date() */
  now?: Date | (() => Date);
  /** Room directory limits. @default DEFAULT_ROOM_WALK */
  rooms?: Partial<RoomWalkLimits>;
  /** Aborts the probe (the crawl's own deadline); `config.probeTimeoutMs` applies anyway. */
  signal?: AbortSignal;
  /**
   * Kinds of fact to measure (crawler/fact-kinds.ts): liveness (resolution, federation
   * version and its TLS) always; setup (well-knowns, keys, client versions, login flows,
   * auth metadata, user count, IPv4/IPv6), rooms (directories, hierarchies, aliases) and
   * register (the empty `POST /register`) only when given. @default every kind
   */
  due?: readonly FactKind[];
  /** Requests the store recorded for this server over the last day, seeded into the context's budget. */
  requestLog?: readonly RequestLogEntry[];
  /** What the store recorded about the server's pace (last 429/503, last Crawl-delay), seeded into the context's budget. */
  pace?: PaceSignals;
  /** The request budget of this probe. @default the context's scope for `matrix:<domain>` (crawler/net/request-budget.ts) */
  budget?: BudgetScope;
  /**
   * Chatlas's federation identity: when given, the federation room directory (and space
   * hierarchies) are read with signed requests, beside the client directory. @default none
   */
  federation?: FederationIdentity;
}

/** Well-known caches per NetContext (spec: cache per Cache-Control); lru-cache on its own monotonic clock. */
const wellKnownCaches = new WeakMap<NetContext, LRUCache<string, WellKnownResult>>();
/** Hostnames whose well-known result one context keeps (least recently used dropped first). */
const WELL_KNOWN_CACHE_ENTRIES = 10_000;

/** User-count paths of the conduwuit family (crawler/protocol/matrix-user-count.ts). */
const USER_COUNT_PATHS: Record<string, string> = {
  conduwuit: '/_conduwuit/local_user_count',
  continuwuity: '/_continuwuity/local_user_count',
  tuwunel: '/_tuwunel/local_user_count',
};

const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

/** Probe `domain` (a Matrix server name) into a ProbeResult. Never throws. */
export async function probeMatrix(ctx: NetContext, domain: string, options: MatrixProbeOptions): Promise<ProbeResult> {
  const clock = typeof options.now === 'function' ? options.now : options.now instanceof Date ? ((d: Date) => () => d)(options.now) : () => new Date();
  // Cleared when the probe ends: AbortSignal.timeout's timer lived on until it fired, one per probe.
  const deadline = deadlineSignal(ctx.config.probeTimeoutMs, 'net.timeout', options.signal, `probe of ${domain.slice(0, 200)} exceeded ${ctx.config.probeTimeoutMs} ms`);
  const server = `matrix:${domain}`;
  if (options.requestLog) ctx.budget.seed(server, options.requestLog);
  if (options.pace) ctx.budget.seedPace(server, options.pace);
  const rec = new MatrixRecorder(ctx, domain, options.passId, deadline.signal, clock, options.budget ?? ctx.budget.scope(server));
  try {
    const result = await run(rec, options);
    // What the server said about our pace, stored so the next process's budget starts lowered.
    return { ...result, snapshot: { ...result.snapshot, ...paceOf(result.observations) } };
  } catch (error) {
    // A bug of ours: recorded, never thrown into the crawl loop.
    const e = ProbeError.from(error, 'internal');
    rec.record('matrix.probe', e.code, 0, {}, '', e.message);
    return { snapshot: { ...emptySnapshot(rec, 'error', e.message), failure: e.code }, observations: rec.observations, rooms: [], discoveries: [] };
  } finally {
    deadline.clear();
    await rec.close();
  }
}

async function run(rec: MatrixRecorder, options: MatrixProbeOptions): Promise<ProbeResult> {
  const { ctx, domain, signal } = rec;
  const due = new Set(withPrerequisites(options.due ?? FACT_KINDS));
  const measured = new Set<FactKind>(['liveness']);
  if (due.has('setup')) measured.add('setup');
  let cache = wellKnownCaches.get(ctx);
  if (!cache) { cache = new LRUCache<string, WellKnownResult>({ max: WELL_KNOWN_CACHE_ENTRIES }); wellKnownCaches.set(ctx, cache); }
  // The client and support well-knowns go to https://<server name>/ whatever the resolution
  // finds, so they run beside it (two requests at a time per host, the politeness limit).
  const named = parseServerName(domain);
  const isDnsName = !(named instanceof ProbeError) && named.kind === 'dns' && named.port === null;
  const wkOrigin: Origin = { base: isDnsName ? `https://${named.host}` : '', host: '' };
  const wellKnowns = isDnsName && due.has('setup')
    ? (async () => [await wellKnownDoc(rec, wkOrigin, 'client', parseWellKnownClient), await wellKnownDoc(rec, wkOrigin, 'support', parseWellKnownSupport)] as const)()
    : Promise.resolve([NOT_ASKED, NOT_ASKED] as const);
  let dnssec: boolean | null = null;
  const resolution = await resolveMatrixServer(domain, {
    now: rec.now(),
    cache,
    fetchWellKnown: async (host) => {
      // Explicit Host: the same SNI as the later well-known requests, so undici keeps the connection.
      const res = await fetchBounded(ctx, `https://${host}/.well-known/matrix/server`, { accept: 'application/json', headers: { host }, maxBytes: 64 * 1024, signal, dispatcher: rec.http.dispatcher, budget: rec.budget.ticket('liveness') });
      return { status: res.status, bodyText: res.bodyText, headers: res.headers, redirects: res.redirects.length, finalUrl: res.finalUrl };
    },
    srv: async (name) => {
      const answer = await ctx.dns.srv(name, { signal });
      // DNSSEC of the delegation, as the XMPP probe records it: every SRV answer asked carried the AD bit.
      dnssec = (dnssec ?? true) && answer.authenticated;
      return answer.records;
    },
  });
  for (const s of resolution.steps) rec.record(s.step, s.outcome, s.durationMs, s.facts, s.raw, s.error);
  const report: ReportItem[] = [...resolution.report];
  const [wkClientAnswer, wkSupportAnswer] = await wellKnowns;
  let wkClient = wkClientAnswer.doc;
  const wkSupport = wkSupportAnswer.doc;
  if (!resolution.endpoint || !resolution.serverName) {
    rec.record('matrix.server-name', resolution.error?.code ?? 'matrix.invalid-server-name', 0, {}, '', resolution.error?.message ?? '');
    return { snapshot: { ...emptySnapshot(rec, 'error', resolution.error?.message ?? 'invalid server name', report), failure: resolution.error?.code ?? 'matrix.invalid-server-name' }, observations: rec.observations, rooms: [], discoveries: [] };
  }
  if (wkClient) for (const issue of wkClient.baseUrlIssues) report.push({ step: 'matrix.well-known-client', level: 'warn', message: `m.homeserver.base_url: ${issue}.`, fix: 'Publish an absolute https URL without query, fragment or credentials.' });

  // Federation endpoint: the first target whose version request connects; TLS facts from that connection.
  const fed = await federationOrigin(rec, resolution.endpoint, report);
  const fedVersion: FederationVersion | null = fed?.version ?? null;
  let keysOk = false;
  if (fed && due.has('setup')) {
    const serverName = resolution.serverName.text;
    const keys = await jsonStep(rec, 'matrix.server-keys', fed.origin, '/_matrix/key/v2/server', (t) => parseServerKeys(t, serverName, rec.now()));
    if (keys) {
      keysOk = keys.signatureValid === true && !keys.expired && keys.serverNameMatches;
      for (const issue of keys.issues) report.push({ step: 'matrix.server-keys', level: 'error', message: `Signing keys: ${issue}.`, fix: 'Check server_name and the signing key in the homeserver configuration.' });
    }
  }
  if (fedVersion) report.push({ step: 'matrix.federation-version', level: 'ok', message: `Federation API answers at ${fed?.origin.base ?? ''}: ${fedVersion.name || 'unnamed software'} ${fedVersion.version}.`.trim() });
  if (keysOk) report.push({ step: 'matrix.server-keys', level: 'ok', message: 'Signing keys are valid, signed and not expired.' });
  if (fed?.tls && tlsOutcome(fed.tls) === 'ok') report.push({ step: 'tls.federation', level: 'ok', message: `Certificate for ${resolution.endpoint.tlsName} verifies${fed.tls.validTo ? ` (expires ${fed.tls.validTo.toISOString().slice(0, 10)})` : ''}.` });
  if (!fedVersion) report.push({ step: 'matrix.federation-version', level: 'error', message: `Federation API not reachable at ${resolution.endpoint.targets.map((t) => `${t.host}:${t.port}`).join(', ')}.`, fix: `Open port ${resolution.endpoint.targets[0]?.port ?? 8448} with a certificate for ${resolution.endpoint.tlsName}, or delegate with /.well-known/matrix/server.` });

  // Client API: the well-known base URL, else https://<server name>, else the federation endpoint. Looked for
  // when setup is due, or for liveness when the federation API did not answer (a client-only server).
  const needClient = due.has('setup') || fedVersion === null;
  if (needClient && !due.has('setup') && isDnsName) wkClient = (await wellKnownDoc(rec, wkOrigin, 'client', parseWellKnownClient)).doc;
  const candidates: Origin[] = [];
  if (wkClient) candidates.push({ base: wkClient.baseUrl, host: '' });
  if (isDnsName && !candidates.some((c) => c.base === wkOrigin.base)) candidates.push(wkOrigin);
  if (fed) candidates.push(fed.origin);
  let client: Origin | null = null;
  let versions: ClientVersions | null = null;
  for (const candidate of needClient ? candidates : []) {
    versions = await jsonStep(rec, 'matrix.client-versions', candidate, '/_matrix/client/versions', parseClientVersions);
    if (versions) { client = candidate; break; }
  }
  if (needClient && wkClient && client?.base !== wkClient.baseUrl) {
    report.push({ step: 'matrix.well-known-client', level: 'error', message: `m.homeserver.base_url ${wkClient.baseUrl} does not serve /_matrix/client/versions.`, fix: 'Point base_url at the URL where the client API answers (without /_matrix).' });
  }
  let login: LoginFlows | null = null;
  let authMeta: AuthMetadata | null = null;
  let register: RegisterProbe | null = null;
  let walk: RoomWalk | null = null;
  // The federation directory (signed) runs beside the client steps: it needs only the federation endpoint.
  const limits = { ...DEFAULT_ROOM_WALK, ...options.rooms };
  const federationWalk: Promise<RoomWalk | null> = options.federation && fed && due.has('rooms')
    ? walkRooms(rec, fed.origin, limits, federationDirectory(options.federation, resolution.serverName.text))
    : Promise.resolve(null);
  let users: number | null = null;
  const software = fedVersion ? identifySoftware(fedVersion.name, fedVersion.version, MATRIX_RULES) : identifySoftware('', '', MATRIX_RULES);
  const unrecognised = unrecognisedNote(software);
  if (unrecognised) report.push({ step: 'matrix.federation-version', level: 'info', message: unrecognised });
  // ejabberd's Matrix gateway, a room directory: recognised, but said to be no homeserver.
  const role = roleNote('matrix', software.software, software.nameRaw);
  if (role) report.push({ step: 'matrix.federation-version', level: 'info', message: role });
  if (client && due.has('setup')) {
    const origin = client;
    [login, authMeta] = await Promise.all([
      jsonStep(rec, 'matrix.login-flows', origin, '/_matrix/client/v3/login', parseLoginFlows),
      jsonStep(rec, 'matrix.auth-metadata', origin, '/_matrix/client/v1/auth_metadata', parseAuthMetadata, true),
    ]);
    // With delegated (OIDC) auth, sign-up is at the issuer: no register probe then, and the mode is known.
    if (due.has('register') || authMeta) measured.add('register');
    if (due.has('rooms')) measured.add('rooms');
    [register, walk] = await Promise.all([
      authMeta || !due.has('register') ? Promise.resolve(null) : registerStep(rec, origin),
      due.has('rooms') ? walkRooms(rec, origin, limits) : Promise.resolve(null),
    ]);
    const countPath = USER_COUNT_PATHS[software.software];
    if (countPath) users = await jsonStep(rec, 'matrix.user-count', client, countPath, parseLocalUserCount, true);
  }
  const proven = String(rec.observations.find((o) => o.step === 'matrix.federation-version' && o.outcome === 'ok')?.facts['remoteAddress'] ?? '');
  const net = fed && due.has('setup') ? await reachability(rec, fed.target.host, fed.target.port, proven) : { ipv4: null, ipv6: null };
  const registration = decideRegistration({ register, authMetadata: authMeta, loginFlowTypes: login?.flowTypes ?? [] });
  const now = rec.now();
  const fedWalk = await federationWalk;
  const directories = combineDirectories(walk, fedWalk);
  // The servers in the rooms it lists, from its own aliases (room details: the same cadence as the directory).
  const aliasFound = await aliasServers(rec, directories.rooms, {
    serverName: resolution.serverName.text,
    federation: options.federation && fed ? { origin: fed.origin, identity: options.federation } : null,
    client,
  });
  const rooms: RoomSnapshot[] = directories.rooms.map((r) => ({
    passId: rec.passId, protocol: 'matrix', roomId: r.roomId, server: domain, address: r.address, name: r.name, topic: r.topic,
    members: r.members, avatarUrl: r.avatarUrl, language: '', worldReadable: r.worldReadable, guestCanJoin: r.guestCanJoin,
    joinRule: r.joinRule, roomType: r.roomType, children: r.children, federates: federatesFrom(r.roomId, directories.federation), observedAt: now,
  }));
  const discoveries = matrixDiscoveries({
    sourceDomain: domain, rooms: directories.rooms, via: directories.via, aliasServers: aliasFound,
    contacts: (wkSupport?.contacts ?? []).map((c) => c.matrixId).filter(Boolean), foundAt: now,
  });
  if (isDnsName && !wkClient && due.has('setup')) report.push({ step: 'matrix.well-known-client', level: 'info', message: `No valid https://${domain}/.well-known/matrix/client: clients must be told the homeserver URL by hand.`, fix: 'Publish {"m.homeserver": {"base_url": "https://matrix.example.org"}} there.' });
  report.push(...directoryReport(walk, fedWalk, options.federation !== undefined));
  if (directories.optedOut > 0) report.push({ step: 'matrix.public-rooms', level: 'info', message: `${directories.optedOut} room${directories.optedOut === 1 ? '' : 's'} of the directory opted out with a marker in the topic and ${directories.optedOut === 1 ? 'is' : 'are'} not listed.` });
  const ownPort = resolution.endpoint.method === 'ip-literal' || resolution.endpoint.method === 'explicit-port';
  const { status, error, failure } = matrixStatus(rec.observations, { federation: fedVersion !== null, client: versions !== null, named: ownPort });
  if (status === 'not-a-server') {
    report.push({ step: 'matrix.status', level: 'info', message: `No sign of Matrix at ${domain}: no SRV record, no valid /.well-known/matrix/server or /client, and no TLS server at ${resolution.endpoint.targets.map((t) => `${t.host}:${t.port}`).join(', ')}. Chatlas does not count it as a Matrix server unless it answered before.`, fix: `To run Matrix here, serve the federation API on port 8448 or delegate with https://${domain}/.well-known/matrix/server.` });
  }
  const snapshot: ServerSnapshot = {
    ...emptySnapshot(rec, status, error, report),
    failure,
    software: software.software,
    versionRaw: software.version.raw,
    version: software.version.text,
    registration,
    features: [...new Set([...(versions?.unstableFeatures ?? []), ...(login?.flowTypes ?? [])])],
    specVersions: versions?.versions ?? [],
    tls: fed?.tls ?? null,
    dnssec,
    ipv4: net.ipv4,
    ipv6: net.ipv6,
    directory: directories.exposure,
    publicRooms: rooms.length,
    publicMembers: rooms.reduce((sum, r) => sum + r.members, 0),
    users,
    endpoint: fed ? `${urlHost(fed.target.host)}:${fed.target.port}` : '',
    measured: FACT_KINDS.filter((k) => measured.has(k)),
    requests: rec.budget.sent,
    offer: { provider: null, support: supportOffer(wkSupportAnswer), contacts: null },
  };
  rec.record('matrix.summary', 'ok', 0, { status, keysOk, registration, roomsOutcome: walk?.outcome ?? 'skipped', federationRoomsOutcome: fedWalk?.outcome ?? 'skipped', directory: directories.exposure, pages: walk?.pages ?? 0, totalEstimate: walk?.totalEstimate ?? null, roomsOptedOut: walk?.optedOut ?? 0, endpointMethod: resolution.endpoint.method, delegatedTo: resolution.endpoint.delegatedTo });
  return { snapshot, observations: rec.observations, rooms, discoveries };
}

/** A snapshot with nothing observed yet. */
function emptySnapshot(rec: MatrixRecorder, status: ServerSnapshot['status'], error: string, report: ReportItem[] = []): ServerSnapshot {
  return {
    passId: rec.passId, domain: rec.domain, protocol: 'matrix', observedAt: rec.now(), status, software: 'unknown', versionRaw: '', version: '',
    registration: 'unknown', features: [], specVersions: [], tls: null, dnssec: null, dane: null, ipv4: null, ipv6: null,
    publicRooms: 0, publicMembers: 0, users: null, endpoint: '', error: error.split('\n')[0]?.slice(0, 500) ?? '', report,
  };
}

/** GET a JSON endpoint and parse it; the observation's outcome becomes the parse result. */
async function jsonStep<T>(rec: MatrixRecorder, step: string, origin: Origin, path: string, parse: (text: string) => T | ProbeError, absentOk = false): Promise<T | null> {
  const res = await rec.request(step, origin, path);
  if (res instanceof ProbeError) return null;
  if (res.status !== 200) {
    if (absentOk && (res.status === 404 || res.status === 405)) rec.amend(step, 'absent', {});
    else rec.amend(step, 'http.status', {}, `HTTP ${res.status}`);
    return null;
  }
  const parsed = parse(res.bodyText);
  if (parsed instanceof ProbeError) { rec.amend(step, parsed.code, {}, parsed.message); return null; }
  return parsed;
}

/** A well-known document: the parse (null when missing or invalid) and the HTTP status (null: not asked, or no answer). */
interface WellKnownAnswer<T> {
  doc: T | null;
  status: number | null;
}

const NOT_ASKED: WellKnownAnswer<never> = { doc: null, status: null };

/** `/.well-known/matrix/{client,support}` (redirects followed, robots not consulted). */
async function wellKnownDoc<T>(rec: MatrixRecorder, origin: Origin, which: 'client' | 'support', parse: (text: string) => T | ProbeError): Promise<WellKnownAnswer<T>> {
  const step = `matrix.well-known-${which}`;
  const res = await rec.request(step, origin, `/.well-known/matrix/${which}`, { skipRobots: true, maxRedirects: rec.ctx.config.maxRedirects, maxBytes: 64 * 1024 });
  if (res instanceof ProbeError) return NOT_ASKED;
  if (res.status !== 200) { rec.amend(step, 'absent', {}); return { doc: null, status: res.status }; }
  const parsed = parse(res.bodyText);
  if (parsed instanceof ProbeError) { rec.amend(step, parsed.code, {}, parsed.message); return { doc: null, status: res.status }; }
  rec.amend(step, 'ok', { parsed: parsed as unknown as Record<string, unknown> });
  return { doc: parsed, status: res.status };
}

/**
 * The support well-known for the offer (crawler/offer.ts): its contacts and page when it
 * parsed, 'absent' on a 404 (the server says it has none), null when it was not asked,
 * failed, answered another status or did not parse: unknown, never "none".
 */
function supportOffer(answer: WellKnownAnswer<WellKnownSupport>): SupportStatements | 'absent' | null {
  if (answer.doc) return { contacts: answer.doc.contacts.map((c) => ({ ...c })), supportPage: answer.doc.supportPage || null };
  return answer.status === 404 ? 'absent' : null;
}

/** The report item of a federation target whose address the guard refused. */
function forbiddenTarget(host: string, why: string): ReportItem {
  return { step: 'tls.federation', level: 'error', message: `${host} resolves to an address that is not public (${why}).`, fix: 'Federation endpoints must be on public addresses.' };
}

/** Errors that mean no connection was made at all (nothing to learn about TLS there). */
const NEVER_CONNECTED: ReadonlySet<ProbeErrorCode> = new Set<ProbeErrorCode>(['net.forbidden-address', 'net.connect-refused', 'net.unreachable', 'dns.nxdomain', 'dns.no-records', 'dns.servfail', 'dns.refused', 'dns.timeout', 'dns.unreachable', 'dns.malformed', 'dns.invalid-name']);

/**
 * The federation origin: the first target (of at most 3) that answers the version request,
 * with the TLS facts of the connection it used. That connection verified the certificate
 * chain and name, so its facts are read from it (crawler/net/http-agent.ts `tlsFacts`)
 * rather than from a connection of our own. Only when it could not be made for a TLS
 * reason (or timed out) does `inspectTls` connect without trusting the certificate, to
 * record what is wrong with it; the origin is then kept, and its requests fail as they
 * would for any client.
 */
async function federationOrigin(rec: MatrixRecorder, endpoint: MatrixEndpoint, report: ReportItem[]): Promise<{ origin: Origin; target: { host: string; port: number }; tls: TlsFacts; version: FederationVersion | null } | null> {
  for (const target of endpoint.targets.slice(0, 3)) {
    const started = performance.now();
    const origin: Origin = { base: `https://${urlHost(target.host)}:${target.port}`, host: endpoint.hostHeader };
    const facts = { target: `${target.host}:${target.port}`, tlsName: endpoint.tlsName };
    const version = await jsonStep(rec, 'matrix.federation-version', origin, '/_matrix/federation/v1/version', parseFederationVersion);
    const verified = rec.http.tlsFacts(origin.base, endpoint.tlsName);
    if (verified) {
      rec.record('tls.federation', tlsOutcome(verified), performance.now() - started, { ...facts, ...verified, from: 'request' });
      return { origin, target, tls: verified, version };
    }
    const failed = rec.observations.findLast((o) => o.step === 'matrix.federation-version');
    const code = failed?.outcome ?? 'internal';
    if (isProbeErrorCode(code) && NEVER_CONNECTED.has(code)) {
      rec.record('tls.federation', code, performance.now() - started, facts, '', failed?.error ?? '');
      if (code === 'net.forbidden-address') report.push(forbiddenTarget(target.host, failed?.error ?? ''));
      continue;
    }
    // A TLS failure, a reset or a timeout: look at the certificate without trusting it.
    try {
      const tls = await inspectTls(rec.ctx, { host: target.host, port: target.port, servername: endpoint.tlsName, alpn: ['http/1.1'], signal: rec.signal, budget: rec.budget.ticket('liveness') });
      const ok = tls.error === null && tls.chainValid === true && tls.nameValid === true;
      rec.record('tls.federation', tlsOutcome(tls), performance.now() - started, { ...facts, ...tls, from: 'inspection' }, '', tls.error ?? '');
      if (!ok) report.push({ step: 'tls.federation', level: 'error', message: `TLS on ${target.host}:${target.port}: ${tls.error ?? (tls.nameValid === false ? `certificate does not name ${endpoint.tlsName}` : 'certificate chain does not verify')}.`, fix: `Serve a certificate for ${endpoint.tlsName} from a public CA with its full chain.` });
      return { origin, target, tls, version };
    } catch (error) {
      const e = ProbeError.from(error);
      rec.record('tls.federation', e.code, performance.now() - started, facts, '', e.message);
      if (e.code === 'net.forbidden-address') report.push(forbiddenTarget(target.host, e.message));
    }
  }
  return null;
}

/** The outcome code of TLS facts: handshake failure first, then name, expiry, chain. */
function tlsOutcome(tls: TlsFacts): Outcome {
  if (tls.protocol === null) return 'tls.handshake';
  if (tls.nameValid === false) return 'tls.name-mismatch';
  // `error` is the verification result Node reports (socket.authorizationError: CERT_HAS_EXPIRED, …), a code.
  if (tls.error !== null && probeErrorCodeFor(tls.error) === 'tls.expired') return 'tls.expired';
  if (tls.chainValid !== true) return 'tls.cert-invalid';
  return 'ok';
}

/** The one empty `POST /register {}` of this pass: shows the flows, creates nothing. */
async function registerStep(rec: MatrixRecorder, client: Origin): Promise<RegisterProbe | null> {
  const step = 'matrix.register-probe';
  const res = await rec.request(step, client, '/_matrix/client/v3/register', { method: 'POST', body: '{}', maxBytes: 256 * 1024 });
  if (res instanceof ProbeError) return null;
  const parsed = parseRegisterResponse(res.status, res.bodyText);
  if (parsed instanceof ProbeError) { rec.amend(step, parsed.code, {}, parsed.message); return null; }
  rec.amend(step, 'ok', { mode: parsed.mode, flows: parsed.flows, errcode: parsed.errcode });
  return parsed;
}
