/**
 * Matrix server-name resolution, exactly in the spec's order, keeping the
 * outcome of every step so a server page can explain what went wrong and
 * how to fix it (like the federation tester).
 *
 * Spec: Matrix Specification v1.16, Server-Server API §"Server discovery /
 * Resolving server names": https://spec.matrix.org/v1.16/server-server-api/#resolving-server-names
 *   1. IP literal → that IP, given port or 8448; Host = the literal (with port).
 *   2. hostname:port → A/AAAA of hostname; Host and certificate = hostname (Host with port).
 *   3. GET https://<hostname>/.well-known/matrix/server (redirects followed, cached) → `m.server`:
 *      3.1 delegated IP literal → it, port or 8448;
 *      3.2 delegated host:port → it; Host/certificate = delegated host;
 *      3.3 SRV _matrix-fed._tcp.<delegated> → targets; Host/certificate = delegated host;
 *      3.4 deprecated SRV _matrix._tcp.<delegated>;
 *      3.5 delegated host on 8448.
 *   4. SRV _matrix-fed._tcp.<hostname>; Host/certificate = hostname.
 *   5. deprecated SRV _matrix._tcp.<hostname>.
 *   6. hostname on 8448.
 *
 * Pure apart from the injected `fetchWellKnown` and `srv` (tests inject
 * fakes; the probe passes NetContext-backed ones).
 */
import type { LRUCache } from 'lru-cache';
import { ProbeError } from '../errors.ts';
import type { SrvRecord } from '../net/dns.ts';
import type { Outcome, ReportItem } from '../types.ts';
import { parseServerName, type ServerName } from '../protocol/matrix-server-name.ts';
import { parseWellKnownServer } from '../protocol/matrix-well-known.ts';
import { interpretSrv, srvName } from './srv.ts';
import { wellKnownTtlMs } from './matrix-well-known-cache.ts';

/** The default federation port. */
export const MATRIX_DEFAULT_PORT = 8448;

/** One HTTP answer for the well-known step. */
export interface WellKnownFetch {
  status: number;
  bodyText: string;
  headers: Record<string, string>;
  redirects: number;
  finalUrl: string;
}

/** What resolution needs from the network. */
export interface ResolveDeps {
  /** GET `https://<host>/.well-known/matrix/server` with bounded redirects. @throws {ProbeError} */
  fetchWellKnown(host: string): Promise<WellKnownFetch>;
  /** SRV records of `name` ([] for NXDOMAIN/NODATA). @throws {ProbeError} on DNS failure */
  srv(name: string): Promise<SrvRecord[]>;
  now: Date;
  /** Well-known results per hostname (spec caching); its own clock decides expiry. */
  cache?: LRUCache<string, WellKnownResult>;
  /** SRV ordering randomness (RFC 2782 weights). */
  random?: () => number;
}

/** The well-known step's result (what is cached). */
export interface WellKnownResult {
  /** `ok`, `absent` (non-200), or a ProbeError code. */
  outcome: Outcome;
  delegated: ServerName | null;
  status: number;
  redirects: number;
  error: string;
  raw: string;
}

/** Where to connect. */
export interface MatrixTarget {
  /** Host to connect to: a DNS name (A/AAAA looked up) or an IP literal (no brackets). */
  host: string;
  port: number;
}

/** The resolved federation endpoint. */
export interface MatrixEndpoint {
  /** Addresses to try, in order (SRV order, else one). */
  targets: MatrixTarget[];
  /** The `Host` header to send. */
  hostHeader: string;
  /** The name the certificate must carry (and SNI when a DNS name). */
  tlsName: string;
  /** Which spec step produced it. */
  method: 'ip-literal' | 'explicit-port' | 'well-known-ip' | 'well-known-port' | 'well-known-srv' | 'well-known-srv-legacy' | 'well-known-default' | 'srv' | 'srv-legacy' | 'default';
  /** Delegated server name from the well-known, or ''. */
  delegatedTo: string;
}

/** One step as run. `outcome`: `ok`, `absent`, `not-offered` (SRV target ".") or a ProbeError code. */
export interface ResolveStep {
  step: string;
  outcome: Outcome;
  durationMs: number;
  facts: Record<string, unknown>;
  raw: string;
  error: string;
}

/** The whole resolution. */
export interface MatrixResolution {
  serverName: ServerName | null;
  endpoint: MatrixEndpoint | null;
  steps: ResolveStep[];
  report: ReportItem[];
  /** Set when the name itself is invalid. */
  error: ProbeError | null;
}

const hostPort = (host: string, port: number): string => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** Fetch and judge the well-known, through the cache. */
async function wellKnownStep(host: string, deps: ResolveDeps, steps: ResolveStep[]): Promise<WellKnownResult> {
  const cached = deps.cache?.get(host);
  if (cached) {
    steps.push({ step: 'matrix.well-known-server', outcome: cached.outcome, durationMs: 0, facts: { cached: true, status: cached.status, delegated: cached.delegated?.text ?? '' }, raw: cached.raw, error: cached.error });
    return cached;
  }
  const started = performance.now();
  let result: WellKnownResult;
  let headers: Record<string, string> = {};
  try {
    const res = await deps.fetchWellKnown(host);
    headers = res.headers;
    const raw = res.bodyText.slice(0, 4096);
    if (res.status !== 200) {
      result = { outcome: 'absent', delegated: null, status: res.status, redirects: res.redirects, error: `HTTP ${res.status}`, raw };
    } else {
      const parsed = parseWellKnownServer(res.bodyText);
      result = parsed instanceof ProbeError
        ? { outcome: parsed.code, delegated: null, status: 200, redirects: res.redirects, error: parsed.message, raw }
        : { outcome: 'ok', delegated: parsed.server, status: 200, redirects: res.redirects, error: '', raw };
    }
  } catch (error) {
    const e = ProbeError.from(error);
    result = { outcome: e.code, delegated: null, status: 0, redirects: 0, error: e.message, raw: '' };
  }
  const ttl = wellKnownTtlMs(headers, result.outcome === 'ok', deps.now);
  // A ttl of 0 (no-store) must not reach lru-cache, which reads 0 as "never expires".
  if (ttl > 0) deps.cache?.set(host, result, { ttl });
  else deps.cache?.delete(host);
  steps.push({
    step: 'matrix.well-known-server', outcome: result.outcome, durationMs: Math.round(performance.now() - started),
    facts: { cached: false, status: result.status, redirects: result.redirects, delegated: result.delegated?.text ?? '', cacheControl: headers['cache-control'] ?? '' },
    raw: result.raw, error: result.error,
  });
  return result;
}

/** One SRV lookup; returns ordered targets ([] when none or on failure, which is recorded). */
async function srvStep(service: 'matrix-fed' | 'matrix', host: string, deps: ResolveDeps, steps: ResolveStep[]): Promise<MatrixTarget[]> {
  const name = srvName(service, host);
  const started = performance.now();
  const step = service === 'matrix-fed' ? 'dns.srv-matrix-fed' : 'dns.srv-matrix';
  try {
    const records = await deps.srv(name);
    const outcome = interpretSrv(records, deps.random);
    const targets = outcome.kind === 'targets' ? outcome.targets.map((r) => ({ host: r.target, port: r.port })) : [];
    steps.push({ step, outcome: outcome.kind === 'targets' ? 'ok' : outcome.kind === 'absent' ? 'absent' : 'not-offered', durationMs: Math.round(performance.now() - started), facts: { name, targets: targets.map((t) => hostPort(t.host, t.port)) }, raw: '', error: '' });
    return targets;
  } catch (error) {
    const e = ProbeError.from(error, 'dns.malformed');
    steps.push({ step, outcome: e.code, durationMs: Math.round(performance.now() - started), facts: { name }, raw: '', error: e.message });
    return [];
  }
}

/**
 * Resolve a Matrix server name to its federation endpoint.
 * Never throws: failures are steps with a ProbeError code, and an invalid
 * name returns `endpoint: null` with `error`.
 */
export async function resolveMatrixServer(name: string, deps: ResolveDeps): Promise<MatrixResolution> {
  const steps: ResolveStep[] = [];
  const report: ReportItem[] = [];
  const parsed = parseServerName(name);
  if (parsed instanceof ProbeError) {
    report.push({ step: 'matrix.server-name', level: 'error', message: parsed.message, fix: 'Use a server name of the form hostname[:port] (spec appendix "Server Name").' });
    return { serverName: null, endpoint: null, steps, report, error: parsed };
  }
  const done = (endpoint: MatrixEndpoint): MatrixResolution => ({ serverName: parsed, endpoint, steps, report, error: null });
  // Steps 1 and 2: no discovery at all.
  if (parsed.kind !== 'dns') {
    report.push({ step: 'matrix.server-name', level: 'info', message: `${parsed.text} is an IP literal: connecting to it directly.` });
    return done({ targets: [{ host: parsed.host, port: parsed.port ?? MATRIX_DEFAULT_PORT }], hostHeader: parsed.text, tlsName: parsed.host, method: 'ip-literal', delegatedTo: '' });
  }
  if (parsed.port !== null) {
    report.push({ step: 'matrix.server-name', level: 'info', message: `${parsed.text} names a port: no .well-known or SRV lookup is done.` });
    return done({ targets: [{ host: parsed.host, port: parsed.port }], hostHeader: parsed.text, tlsName: parsed.host, method: 'explicit-port', delegatedTo: '' });
  }
  // Step 3: the well-known.
  const wk = await wellKnownStep(parsed.host, deps, steps);
  if (wk.outcome === 'ok' && wk.delegated) {
    const d = wk.delegated;
    report.push({ step: 'matrix.well-known-server', level: 'ok', message: `/.well-known/matrix/server delegates to ${d.text}.` });
    if (d.kind !== 'dns') return done({ targets: [{ host: d.host, port: d.port ?? MATRIX_DEFAULT_PORT }], hostHeader: d.text, tlsName: d.host, method: 'well-known-ip', delegatedTo: d.text });
    if (d.port !== null) return done({ targets: [{ host: d.host, port: d.port }], hostHeader: d.text, tlsName: d.host, method: 'well-known-port', delegatedTo: d.text });
    const fed = await srvStep('matrix-fed', d.host, deps, steps);
    if (fed.length > 0) return done({ targets: fed, hostHeader: d.host, tlsName: d.host, method: 'well-known-srv', delegatedTo: d.text });
    const legacy = await srvStep('matrix', d.host, deps, steps);
    if (legacy.length > 0) {
      report.push(deprecatedSrv(d.host));
      return done({ targets: legacy, hostHeader: d.host, tlsName: d.host, method: 'well-known-srv-legacy', delegatedTo: d.text });
    }
    return done({ targets: [{ host: d.host, port: MATRIX_DEFAULT_PORT }], hostHeader: d.host, tlsName: d.host, method: 'well-known-default', delegatedTo: d.text });
  }
  report.push(wellKnownReport(parsed.host, wk));
  // Steps 4-6: SRV on the server name, then 8448.
  const fed = await srvStep('matrix-fed', parsed.host, deps, steps);
  if (fed.length > 0) return done({ targets: fed, hostHeader: parsed.host, tlsName: parsed.host, method: 'srv', delegatedTo: '' });
  const legacy = await srvStep('matrix', parsed.host, deps, steps);
  if (legacy.length > 0) {
    report.push(deprecatedSrv(parsed.host));
    return done({ targets: legacy, hostHeader: parsed.host, tlsName: parsed.host, method: 'srv-legacy', delegatedTo: '' });
  }
  return done({ targets: [{ host: parsed.host, port: MATRIX_DEFAULT_PORT }], hostHeader: parsed.host, tlsName: parsed.host, method: 'default', delegatedTo: '' });
}

function deprecatedSrv(host: string): ReportItem {
  return {
    step: 'dns.srv-matrix', level: 'warn',
    message: `Only the deprecated SRV record _matrix._tcp.${host} exists.`,
    fix: `Publish the same record as _matrix-fed._tcp.${host} (spec v1.8 and later); servers may stop reading _matrix._tcp.`,
  };
}

/** Explain a well-known that gave no delegation. */
function wellKnownReport(host: string, wk: WellKnownResult): ReportItem {
  const url = `https://${host}/.well-known/matrix/server`;
  if (wk.outcome === 'absent') {
    return { step: 'matrix.well-known-server', level: 'info', message: `${url} answered ${wk.error}: no delegation; using SRV records or port 8448.` };
  }
  if (wk.outcome === 'json.invalid' || wk.outcome === 'json.schema' || wk.outcome === 'matrix.invalid-server-name') {
    return {
      step: 'matrix.well-known-server', level: 'error',
      message: `${url} is not a valid delegation (${wk.error}); it is ignored.`,
      fix: 'Serve a JSON object such as {"m.server": "matrix.example.org:443"} with status 200, or remove the file.',
    };
  }
  if (wk.outcome === 'http.redirect-limit' || wk.outcome === 'http.redirect-forbidden') {
    return { step: 'matrix.well-known-server', level: 'error', message: `${url}: ${wk.error}.`, fix: 'Serve the file directly, or with a short redirect chain that stays on https.' };
  }
  if (wk.outcome === 'http.too-large') {
    return { step: 'matrix.well-known-server', level: 'error', message: `${url} is too large (${wk.error}).`, fix: 'The file should be a few bytes of JSON.' };
  }
  return { step: 'matrix.well-known-server', level: 'info', message: `${url} could not be fetched (${wk.error}): no delegation; using SRV records or port 8448.` };
}
