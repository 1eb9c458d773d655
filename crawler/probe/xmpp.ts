/**
 * Probe one XMPP domain: DNS (SRV, fallback, DNSSEC AD bit, DANE TLSA),
 * host-meta and the provider file over HTTPS, account-free c2s and s2s
 * stream probes, and, with an observer account, disco/version/services/rooms.
 * Orchestration only: net/ moves bytes, protocol/ parses, discover/ decides
 * names. `probeXmpp` never throws: every failure is a recorded ProbeError.
 *
 * "Advertised" is kept apart from "verified" (PROTOCOLS.md §3.2): in-band
 * registration is reported `advertised` when the feature is offered, never
 * `open` (only submitting a form would prove it, which we never do).
 */
import { ProbeError } from '../errors.ts';
import type { NetContext } from '../net/context.ts';
import type { Dispatcher } from 'undici';
import { fetchBounded } from '../net/http.ts';
import { deadlineSignal } from '../net/deadline.ts';
import { paceOf, retryAfterFacts } from '../policy/politeness.ts';
import type { PaceSignals } from '../policy/cadence.ts';
import { ObserverSession } from '../net/xmpp-client.ts';
import type { SrvRecord } from '../net/dns.ts';
import type { ProbeResult, ProviderStatements, RegistrationMode, ServerOffer, ServerSnapshot, ServerStatus } from '../types.ts';
import { FACT_KINDS, withPrerequisites, type FactKind } from '../fact-kinds.ts';
import type { BudgetScope, RequestLogEntry } from '../net/request-budget.ts';
import { observerGate } from './xmpp-observer-gate.ts';
import { XMPP_DEFAULT_PORTS, XMPP_SRV_SERVICES, xmppEndpoints, xmppSrvNames, type XmppEndpoint, type XmppSrvService } from '../discover/xmpp-srv.ts';
import { xmppDiscoveries } from '../discover/xmpp-frontier.ts';
import { interpretSrv } from '../discover/srv.ts';
import { parseHostMetaJson, parseHostMetaXml } from '../protocol/xep0156-host-meta.ts';
import { parseProviderFile, providerStatements, type ProviderFileResult } from '../protocol/xmpp-provider-file.ts';
import { decideXmppRegistration } from '../protocol/xep0445-ibr-token.ts';
import { identifyXmpp } from '../identify/xmpp-rules.ts';
import { unrecognisedNote } from '../identify/software.ts';
import { ObservationRecorder, type StepResult } from './observation-recorder.ts';
import { probeSide } from './xmpp-streams.ts';
import { xmppStatus } from './xmpp-status.ts';
import { observeDomain, DEFAULT_OBSERVER_LIMITS, type ObserverLimits, type ObserverResult } from './xmpp-observer.ts';

/** Options of {@link probeXmpp}. */
export interface ProbeXmppOptions {
  passId: string;
  /** Clock (or the pass time) for observedAt. @default () => new Date() */
  now?: Date | (() => Date);
  /**
   * An observer session to reuse across probes. When absent and the config
   * names an observer (`xmppJid`), one is opened for this probe and closed.
   */
  observer?: ObserverSession | null;
  /** Bounds of the authenticated walk. @default DEFAULT_OBSERVER_LIMITS */
  limits?: ObserverLimits;
  /** Skip HTTPS lookups (host-meta, provider file). @default false */
  skipHttp?: boolean;
  /** For deterministic SRV ordering in tests. @default Math.random */
  random?: () => number;
  signal?: AbortSignal;
  /**
   * Kinds of fact to measure (crawler/fact-kinds.ts); the steps of the others are
   * skipped and the snapshot lists what was measured. `liveness` is always measured.
   * @default every kind
   */
  due?: readonly FactKind[];
  /**
   * The registration mode the last in-band registration form showed (the plan
   * reads it from the store): kept while the form is not asked again and the
   * stream still advertises registration. @default null
   */
  lastRegistration?: RegistrationMode | null;
  /** Requests the store recorded for this server over the last day, seeded into the context's budget. */
  requestLog?: readonly RequestLogEntry[];
  /** What the store recorded about the server's pace (last 429/503, last Crawl-delay), seeded into the context's budget. */
  pace?: PaceSignals;
  /** The request budget of this probe. @default the context's scope for `xmpp:<domain>` (crawler/net/request-budget.ts) */
  budget?: BudgetScope;
}

/** Probe one domain. Never throws. */
export async function probeXmpp(ctx: NetContext, domain: string, opts: ProbeXmppOptions): Promise<ProbeResult> {
  const now = typeof opts.now === 'function' ? opts.now : opts.now instanceof Date ? ((d: Date) => () => d)(opts.now) : () => new Date();
  const name = domain.trim().toLowerCase().replace(/\.$/, '');
  const rec = new ObservationRecorder('xmpp', name, opts.passId, now);
  const started = now();
  const deadline = deadlineSignal(ctx.config.probeTimeoutMs, 'net.timeout', opts.signal, `probe of ${name} exceeded ${ctx.config.probeTimeoutMs} ms`);
  try {
    const result = await run(ctx, rec, name, opts, deadline.signal, started);
    // What the server said about our pace, stored so the next process's budget starts lowered.
    return { ...result, snapshot: { ...result.snapshot, ...paceOf(result.observations) } };
  } catch (error) {
    // A bug: recorded, never thrown to the crawl loop.
    const e = ProbeError.from(error);
    rec.record('xmpp.probe', e.code, 0, {}, '', e.message);
    return { snapshot: snapshotOf(rec, started, { status: 'error', error: e.message, failure: e.code }), observations: rec.observations, rooms: [], discoveries: [] };
  } finally {
    deadline.clear();
  }
}

async function run(ctx: NetContext, rec: ObservationRecorder, domain: string, opts: ProbeXmppOptions, signal: AbortSignal, started: Date): Promise<ProbeResult> {
  const due = new Set(withPrerequisites(opts.due ?? FACT_KINDS));
  const measured = new Set<FactKind>(['liveness']);
  const server = `xmpp:${domain}`;
  if (opts.requestLog) ctx.budget.seed(server, opts.requestLog);
  if (opts.pace) ctx.budget.seedPace(server, opts.pace);
  const budget = opts.budget ?? ctx.budget.scope(server);
  // 1. DNS: the four SRV services, in parallel.
  const names = xmppSrvNames(domain);
  const srv: Partial<Record<XmppSrvService, SrvRecord[]>> = {};
  let authenticated: boolean | null = null;
  await Promise.all(XMPP_SRV_SERVICES.map(async (service) => {
    const r = await rec.step(`dns.srv.${service}`, async () => {
      const a = await ctx.dns.srv(names[service], { signal });
      return { value: a, outcome: a.status === 'ok' ? 'ok' : a.status, facts: { name: a.name, records: a.records, status: a.status, authenticated: a.authenticated } };
    });
    if (r.ok) {
      srv[service] = r.value.records;
      authenticated = (authenticated ?? true) && r.value.authenticated;
    }
  }));
  const c2s = xmppEndpoints(domain, 'c2s', srv['xmpp-client'] ?? [], srv['xmpps-client'] ?? [], opts.random);
  const s2s = xmppEndpoints(domain, 's2s', srv['xmpp-server'] ?? [], srv['xmpps-server'] ?? [], opts.random);
  if (c2s.notOffered) rec.note('dns.srv.xmpp-client', 'info', 'SRV target "." says client connections are not offered.');

  // Address families of the first c2s host, and DANE for it.
  const first = c2s.endpoints[0] ?? s2s.endpoints[0] ?? null;
  let ipv4: boolean | null = null;
  let ipv6: boolean | null = null;
  let dane: boolean | null = null;
  if (first && due.has('setup')) {
    const [a4, a6, tlsa] = await Promise.all([
      rec.step('dns.a', async () => {
        const a = await ctx.dns.a(first.host, { signal });
        return { value: a.records.length > 0, outcome: a.status, facts: { host: first.host, records: a.records } };
      }),
      rec.step('dns.aaaa', async () => {
        const a = await ctx.dns.aaaa(first.host, { signal });
        return { value: a.records.length > 0, outcome: a.status, facts: { host: first.host, records: a.records } };
      }),
      rec.step('dns.tlsa', async () => {
        const t = await ctx.dns.tlsa(`_${first.port}._tcp.${first.host}`, { signal });
        return { value: t.records.length > 0 && t.authenticated, outcome: t.status, facts: { records: t.records, authenticated: t.authenticated } };
      }),
    ]);
    ipv4 = a4.ok ? a4.value : null;
    ipv6 = a6.ok ? a6.value : null;
    dane = tlsa.ok ? tlsa.value : null;
  }

  // 2. HTTPS: host-meta (XML, JSON) and the provider file, each bounded.
  let consent: boolean | null = null;
  // The provider file's statements: null unless asked (setup due, HTTP not skipped) and answered.
  let provider: ServerOffer['provider'] = null;
  if (due.has('setup')) {
    measured.add('setup');
    if (!opts.skipHttp) ({ consent, provider } = await httpLookups(ctx, rec, domain, signal, budget));
  }
  if (consent === false) rec.note('xmpp.provider-file', 'info', 'The provider file says serverTesting: false; the registration form was not asked for.');

  // 3. Account-free streams.
  const askRegister = due.has('register') && consent !== false;
  const c2sResult = await probeSide(ctx, rec, 'c2s', c2s.endpoints, askRegister, signal, budget);
  const s2sResult = await probeSide(ctx, rec, 's2s', s2s.endpoints, false, signal, budget);
  if (c2sResult.register) measured.add('register');

  // 4. Through the observer account (one session per NetContext, shared by probes), only for a
  // domain whose s2s targets pass our own guard and answered us (crawler/probe/xmpp-observer-gate.ts).
  let observed: ObserverResult | null = null;
  let session = opts.observer ?? null;
  const observing = session !== null || ctx.config.xmppJid !== '';
  const gate = observing
    ? await observerGate(ctx, rec, {
      domain,
      srvAnswered: srv['xmpp-server'] !== undefined && srv['xmpps-server'] !== undefined,
      srvNotOffered: s2sNotOffered(srv['xmpp-server']),
      endpoints: s2s.endpoints,
      streamAnswered: !!(s2sResult.preTls || s2sResult.postTls),
    }, signal)
    : null;
  if (gate && !gate.allowed) {
    session = null;
    rec.record('xmpp.observer', 'refused', 0, { reason: gate.reason });
    rec.note('xmpp.observer-gate', gate.forbidden ? 'warn' : 'info', `Chatlas's observer account did not ask its server about this domain: ${gate.reason}.`, gate.forbidden ? 'Point the _xmpp-server._tcp SRV records (and the domain itself) at public addresses.' : undefined);
    // Nothing can be listed for it: an answer for the room directory, not a gap to carry over.
    if (due.has('rooms')) measured.add('rooms');
  } else if (!session && ctx.config.xmppJid) {
    const login = await rec.step('xmpp.observer-login', async () => {
      const s = await sharedObserver(ctx, opts.random);
      return { value: s, facts: { jid: s.jid } };
    });
    if (login.ok) session = login.value;
  }
  if (session) {
    observed = await observeDomain(session, rec, opts.limits ?? DEFAULT_OBSERVER_LIMITS, signal, { rooms: due.has('rooms'), ...(budget ? { budget } : {}) });
    if (due.has('rooms')) measured.add('rooms');
  } else if (!gate || gate.allowed) {
    rec.record('xmpp.observer', 'no-account', 0, { unknown: ['software (XEP-0092)', 'disco#info features', 'contact addresses', 'services', 'rooms'] });
    rec.note('xmpp.observer', 'info', 'No observer account (or its login failed): software version, services and rooms could not be known.');
  }

  // 5. Conclusions.
  const id = identifyXmpp({
    version: observed?.version ?? null,
    softwareInfo: observed?.softwareInfo ?? null,
    capsNodes: [c2sResult.postTls?.caps?.node, s2sResult.postTls?.caps?.node].filter((n): n is string => !!n),
    stream: c2sResult.header ? { id: c2sResult.header.id, features: c2sResult.postTls } : null,
  });
  // The software is a fact of the step, not its outcome (crawler/outcome.ts maps rows written the old way).
  rec.record('xmpp.identify', 'ok', 0, { software: id.software, by: id.by, confidence: id.confidence, known: id.known, nameRaw: id.nameRaw, version: id.version });
  const unrecognised = unrecognisedNote(id);
  if (unrecognised) rec.note('xmpp.identify', 'info', unrecognised);
  // ok: some stream got as far as its features; error: connected but every stream failed.
  const spoke = !!(c2sResult.preTls || c2sResult.postTls || s2sResult.preTls || s2sResult.postTls);
  const connected = c2sResult.connected || s2sResult.connected;
  const status = xmppStatus(rec.observations, { spoke, connected, notOffered: c2s.notOffered && s2s.notOffered });
  const mainFailure = spoke ? null : c2sResult.error ?? s2sResult.error;
  const mainError = spoke ? '' : mainFailure?.message ?? 'no endpoint answered';
  if (status === 'not-a-server' && !(c2s.notOffered && s2s.notOffered)) {
    rec.note('xmpp.status', 'info', `No sign of XMPP at ${domain}: no SRV records, nothing answered on ports ${XMPP_DEFAULT_PORTS.c2s} and ${XMPP_DEFAULT_PORTS.s2s}. Chatlas does not count it as an XMPP server unless it answered before.`, `To run XMPP here, publish _xmpp-client._tcp and _xmpp-server._tcp SRV records for ${domain}.`);
  }
  const features = [...new Set([...(c2sResult.preTls?.all ?? []), ...(c2sResult.postTls?.all ?? []), ...(observed?.info?.features ?? [])])];
  const ep = c2sResult.endpoint ?? s2sResult.endpoint;
  const rooms = observed?.rooms ?? [];
  const registration = decideXmppRegistration({ postTls: c2sResult.postTls, form: c2sResult.register?.form ?? null, formAsked: c2sResult.register !== null, last: opts.lastRegistration ?? null });
  if (registration.mode === 'invite') {
    rec.note('xmpp.c2s-features', 'info', `Sign-up is by invitation: the stream features offer ${registration.by} (XEP-0445 invitation tokens). Chatlas reports it as invitation-only, never as open.`);
  }
  const snapshot = snapshotOf(rec, started, {
    status,
    error: mainError,
    ...(mainFailure ? { failure: mainFailure.code } : {}),
    software: id.software,
    versionRaw: id.version.raw,
    version: id.version.text,
    registration: registration.mode,
    features,
    tls: c2sResult.tls ?? s2sResult.tls,
    dnssec: authenticated,
    dane,
    ipv4,
    ipv6,
    publicRooms: rooms.length,
    publicMembers: rooms.reduce((n, r) => n + r.members, 0),
    endpoint: ep ? `${ep.host}:${ep.port}` : '',
    measured: FACT_KINDS.filter((k) => measured.has(k)),
    requests: budget.sent,
    offer: { provider, support: null, contacts: contactsOf(observed) },
    uploadMaxBytes: uploadMaxOf(observed),
  });
  // What this probe asked of the domain, the observer's queries about it apart (issue 12 item 3: counted
  // per target domain, and bounded per day by its request budget, crawler/net/request-budget.ts).
  rec.record('xmpp.requests', 'ok', 0, { requests: budget.sent, observerQueries: budget.observerQueries, limit: ctx.budget.limit(server) });
  const discoveries = xmppDiscoveries({
    domain, foundAt: rec.now(),
    items: observed?.items ?? [],
    rooms: rooms.map((r) => r.roomId),
    contacts: Object.values(observed?.contacts ?? {}).flat(),
  });
  return { snapshot, observations: rec.observations, rooms, discoveries };
}

/** Longest contact address kept (the stored offer's bound, crawler/offer.ts); longer ones are dropped, never cut. */
const MAX_CONTACT_CHARS = 1100;

/**
 * XEP-0157 contact addresses for the offer: `{}` when disco#info answered without any,
 * null when it was not asked (no observer) or did not answer.
 */
function contactsOf(observed: ObserverResult | null): Record<string, string[]> | null {
  if (!observed?.info) return null;
  const out: Record<string, string[]> = {};
  for (const [kind, addresses] of Object.entries(observed.contacts)) {
    const kept = (addresses ?? []).filter((a) => a.length <= MAX_CONTACT_CHARS);
    if (kept.length > 0) out[kind] = kept;
  }
  return out;
}

/** The largest XEP-0363 max-file-size among the upload services the walk found; null when none stated one. */
function uploadMaxOf(observed: ObserverResult | null): number | null {
  const sizes = (observed?.services ?? []).filter((s) => s.kind === 'upload' && s.maxFileSize !== null).map((s) => s.maxFileSize as number);
  return sizes.length > 0 ? Math.max(...sizes) : null;
}

/** What the HTTPS lookups learnt: the serverTesting consent and the provider file's statements. */
interface HttpFindings {
  consent: boolean | null;
  /** Statements when the file parsed, 'absent' on a 404, null when the request or the parse failed. */
  provider: ProviderStatements | 'absent' | null;
}

/** host-meta (XML and JSON) and the provider file. */
async function httpLookups(ctx: NetContext, rec: ObservationRecorder, domain: string, signal: AbortSignal, budget?: BudgetScope): Promise<HttpFindings> {
  // The probe's own connections, closed at its end rather than idling in keep-alive.
  const http = ctx.http.scope();
  try {
    return await httpLookupsOver(ctx, rec, domain, signal, http.dispatcher, budget);
  } finally {
    await http.close();
  }
}

/**
 * The step result of a non-200 answer: 404 is `absent`, any other status
 * `http.status` (as in the Matrix probe's requests), with the status and a
 * Retry-After for the schedule in the facts.
 */
function nonOk(r: { status: number; headers: Record<string, string> }): StepResult<null> {
  const facts = { status: r.status, ...retryAfterFacts(r.status, r.headers) };
  return r.status === 404 ? { value: null, outcome: 'absent', facts, error: 'HTTP 404' } : { value: null, outcome: 'http.status', facts, error: `HTTP ${r.status}` };
}

async function httpLookupsOver(ctx: NetContext, rec: ObservationRecorder, domain: string, signal: AbortSignal, dispatcher: Dispatcher, scope?: BudgetScope): Promise<HttpFindings> {
  const base = `https://${domain}/.well-known`;
  const cap = Math.min(ctx.config.maxBodyBytes, 1024 * 1024);
  const budget = scope?.ticket('setup');
  await rec.step('xmpp.host-meta', async () => {
    const r = await fetchBounded(ctx, `${base}/host-meta`, { maxBytes: cap, signal, dispatcher, ...(budget ? { budget } : {}) });
    if (r.status !== 200) return nonOk(r);
    const m = parseHostMetaXml(r.bodyText);
    if (m instanceof ProbeError) throw m;
    return { value: m, facts: { ...m }, raw: r.bodyText };
  });
  await rec.step('xmpp.host-meta-json', async () => {
    const r = await fetchBounded(ctx, `${base}/host-meta.json`, { maxBytes: cap, accept: 'application/json', signal, dispatcher, ...(budget ? { budget } : {}) });
    if (r.status !== 200) return nonOk(r);
    const m = parseHostMetaJson(r.bodyText);
    if (m instanceof ProbeError) throw m;
    return { value: m, facts: { ...m }, raw: r.bodyText };
  });
  const pf = await rec.step<ProviderFileResult | 'absent' | null>('xmpp.provider-file', async () => {
    const r = await fetchBounded(ctx, `${base}/xmpp-provider-v2.json`, { maxBytes: cap, accept: 'application/json', signal, dispatcher, ...(budget ? { budget } : {}) });
    // A 404 is the answer "no provider file" (recorded `absent`); any other status leaves it unknown.
    if (r.status !== 200) return { ...nonOk(r), value: r.status === 404 ? 'absent' : null };
    const p = parseProviderFile(r.bodyText);
    if (p instanceof ProbeError) throw p;
    return { value: p, facts: { ...p }, raw: r.bodyText };
  });
  if (!pf.ok || pf.value === null) return { consent: null, provider: null };
  if (pf.value === 'absent') return { consent: null, provider: 'absent' };
  return { consent: pf.value.serverTesting, provider: providerStatements(pf.value.file) };
}

/** Log the observer in on its own server, found through SRV like any domain. */
async function loginObserver(ctx: NetContext, signal: AbortSignal, random?: () => number): Promise<ObserverSession> {
  const jid = ctx.config.xmppJid;
  const domain = jid.slice(jid.indexOf('@') + 1);
  const names = xmppSrvNames(domain);
  const [plain, direct] = await Promise.all([
    ctx.dns.srv(names['xmpp-client'], { signal }).then((a) => a.records, () => []),
    ctx.dns.srv(names['xmpps-client'], { signal }).then((a) => a.records, () => []),
  ]);
  const endpoints: XmppEndpoint[] = xmppEndpoints(domain, 'c2s', plain, direct, random).endpoints;
  let last: unknown = new ProbeError('xmpp.auth-failed', `no endpoint for observer domain ${domain}`);
  for (const ep of endpoints.slice(0, 3)) {
    try {
      return await ObserverSession.login(ctx, { jid, password: ctx.config.xmppPassword, host: ep.host, port: ep.port, directTls: ep.directTls, signal });
    } catch (error) {
      last = error;
      // Wrong credentials will not get better on another endpoint.
      if (ProbeError.from(error).code === 'xmpp.auth-failed') break;
    }
  }
  throw ProbeError.from(last, 'xmpp.auth-failed');
}

/** How long a failed observer login is remembered before trying again. @default 300000 */
export const OBSERVER_RETRY_MS = 5 * 60_000;

/** The observer session of each NetContext: a live one is reused; a failure is remembered for a while. */
const observers = new WeakMap<NetContext, { session: Promise<ObserverSession>; at: number }>();

/**
 * The shared observer session of `ctx`, logging in when there is none or it
 * died. Logins never hammer the observer's server: a failed login is reused
 * for {@link OBSERVER_RETRY_MS}. The session's socket is unref'd, so an idle
 * session never keeps the process alive; {@link closeObserver} ends it.
 */
export async function sharedObserver(ctx: NetContext, random?: () => number): Promise<ObserverSession> {
  const cached = observers.get(ctx);
  if (cached) {
    const s = await cached.session.then((x) => x, (e: unknown) => e);
    if (s instanceof ObserverSession ? s.alive : Date.now() - cached.at < OBSERVER_RETRY_MS) return cached.session;
  }
  // The login has its own deadlines (connect, each wait); it is not tied to one probe's signal.
  const session = loginObserver(ctx, new AbortController().signal, random).then((s) => {
    s.unref();
    return s;
  });
  observers.set(ctx, { session, at: Date.now() });
  return session;
}

/** Close the shared observer session of `ctx`, if any (end of a pass). */
export async function closeObserver(ctx: NetContext): Promise<void> {
  const cached = observers.get(ctx);
  observers.delete(ctx);
  if (cached) (await cached.session.catch(() => null))?.close();
}

/** `_xmpp-server._tcp` answered with the `.` target (RFC 2782: decidedly not available). */
function s2sNotOffered(records: readonly SrvRecord[] | undefined): boolean {
  return records !== undefined && interpretSrv(records).kind === 'not-offered';
}

function snapshotOf(rec: ObservationRecorder, started: Date, s: Partial<ServerSnapshot> & { status: ServerStatus; error: string }): ServerSnapshot {
  return {
    passId: rec.passId, domain: rec.domain, protocol: 'xmpp', observedAt: started,
    software: 'unknown', versionRaw: '', version: '', registration: 'unknown', features: [], specVersions: [],
    tls: null, dnssec: null, dane: null, ipv4: null, ipv6: null, publicRooms: 0, publicMembers: 0, users: null, endpoint: '',
    report: rec.report,
    ...s,
  };
}
