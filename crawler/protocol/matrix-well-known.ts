/**
 * Matrix `.well-known` documents: `matrix/server`, `matrix/client`, `matrix/support`.
 *
 * Spec: Matrix Specification v1.16
 * - Server-Server API §"Server discovery / Resolving server names", step 3 (`/.well-known/matrix/server`):
 *   https://spec.matrix.org/v1.16/server-server-api/#getwell-knownmatrixserver
 * - Client-Server API §"Server discovery / Well-known URIs" (`/.well-known/matrix/client`):
 *   https://spec.matrix.org/v1.16/client-server-api/#getwell-knownmatrixclient
 * - Client-Server API `/.well-known/matrix/support` (MSC1929, in the spec since v1.10):
 *   https://spec.matrix.org/v1.16/client-server-api/#getwell-knownmatrixsupport
 * - MSC2965 `org.matrix.msc2965.authentication` (delegated OIDC issuer, unstable key).
 */
import { ProbeError } from '../errors.ts';
import { isObject, parseJsonObject, str } from './matrix-json.ts';
import { parseServerName, type ServerName } from './matrix-server-name.ts';

/** Largest `.well-known` document we read; the spec's documents are a few hundred bytes. @default 64 KiB */
export const MAX_WELL_KNOWN_CHARS = 64 * 1024;

/** A valid `/.well-known/matrix/server`. */
export interface WellKnownServer {
  /** The parsed `m.server` delegation target. */
  server: ServerName;
}

/**
 * Parse `/.well-known/matrix/server`. Any failure means "no valid
 * well-known": the resolver then goes on to SRV (spec step 4).
 */
export function parseWellKnownServer(text: string): WellKnownServer | ProbeError {
  const doc = parseJsonObject(text, MAX_WELL_KNOWN_CHARS);
  if (doc instanceof ProbeError) return doc;
  const target = doc['m.server'];
  if (typeof target !== 'string') return new ProbeError('json.schema', '"m.server" is missing or not a string');
  const server = parseServerName(target);
  if (server instanceof ProbeError) return server;
  return { server };
}

/** A parsed `/.well-known/matrix/client`. */
export interface WellKnownClient {
  /** `m.homeserver.base_url` with any trailing slashes removed, or '' when unusable. */
  baseUrl: string;
  /** Problems with `base_url` a server page should explain (empty when fine). */
  baseUrlIssues: string[];
  /** `m.identity_server.base_url`, or ''. */
  identityServer: string;
  /** MSC2965 delegated authentication (Matrix Authentication Service and other OIDC issuers). */
  auth: { issuer: string; account: string } | null;
  /** `org.matrix.msc4143.rtc_foci` entries (Element Call), as `type` + `livekit_service_url`. */
  rtcFoci: { type: string; url: string }[];
  /** Sliding sync proxy URL (`org.matrix.msc3575.proxy.url`), or ''. */
  slidingSyncProxy: string;
  /** Every top-level key present, sorted (what the operator publishes). */
  keys: string[];
}

/**
 * Parse `/.well-known/matrix/client`. A missing `m.homeserver` is the spec's
 * FAIL_PROMPT, an invalid `base_url` its FAIL_ERROR: both come back as a
 * ProbeError `json.schema`; lesser problems land in `baseUrlIssues`.
 */
export function parseWellKnownClient(text: string): WellKnownClient | ProbeError {
  const doc = parseJsonObject(text, MAX_WELL_KNOWN_CHARS);
  if (doc instanceof ProbeError) return doc;
  const homeserver = doc['m.homeserver'];
  if (!isObject(homeserver)) return new ProbeError('json.schema', '"m.homeserver" is missing or not an object (FAIL_PROMPT)');
  const rawBase = homeserver['base_url'];
  if (typeof rawBase !== 'string') return new ProbeError('json.schema', '"m.homeserver.base_url" is missing or not a string (FAIL_ERROR)');
  const checked = checkBaseUrl(rawBase);
  if (checked instanceof ProbeError) return checked;
  const identity = doc['m.identity_server'];
  const authDoc = doc['org.matrix.msc2965.authentication'];
  const auth = isObject(authDoc) && typeof authDoc['issuer'] === 'string'
    ? { issuer: str(authDoc['issuer'], 500), account: str(authDoc['account'], 500) }
    : null;
  const foci = doc['org.matrix.msc4143.rtc_foci'];
  const rtcFoci = Array.isArray(foci)
    ? foci.slice(0, 20).filter(isObject).map((f) => ({ type: str(f['type'], 100), url: str(f['livekit_service_url'], 500) }))
    : [];
  const proxy = doc['org.matrix.msc3575.proxy'];
  return {
    baseUrl: checked.url,
    baseUrlIssues: checked.issues,
    identityServer: isObject(identity) ? str(identity['base_url'], 500) : '',
    auth,
    rtcFoci,
    slidingSyncProxy: isObject(proxy) ? str(proxy['url'], 500) : '',
    keys: Object.keys(doc).slice(0, 100).map((k) => k.slice(0, 200)).sort(),
  };
}

/**
 * Check a client `base_url`: must be an absolute http(s) URL (spec
 * FAIL_ERROR otherwise). Plain http, credentials, a query or a fragment are
 * reported as issues, since clients will misbehave with them.
 */
export function checkBaseUrl(raw: string): { url: string; issues: string[] } | ProbeError {
  if (raw.length > 2000) return new ProbeError('json.schema', 'base_url longer than 2000 characters');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return new ProbeError('json.schema', `base_url ${JSON.stringify(raw.slice(0, 100))} is not a URL (FAIL_ERROR)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return new ProbeError('json.schema', `base_url scheme ${url.protocol} is not http(s) (FAIL_ERROR)`);
  }
  const issues: string[] = [];
  if (url.protocol === 'http:') issues.push('base_url uses plain http');
  if (url.username || url.password) issues.push('base_url carries credentials');
  if (url.search) issues.push('base_url has a query string');
  if (url.hash) issues.push('base_url has a fragment');
  if (raw !== raw.trim()) issues.push('base_url has surrounding whitespace');
  const text = `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, '');
  return { url: text, issues };
}

/** One support contact (MSC1929). */
export interface SupportContact {
  role: string;
  matrixId: string;
  email: string;
}

/** A parsed `/.well-known/matrix/support`. */
export interface WellKnownSupport {
  contacts: SupportContact[];
  supportPage: string;
  /** Contacts dropped or other problems (e.g. neither contacts nor support_page). */
  issues: string[];
}

/** Most contacts kept from one document. @default 50 */
export const MAX_SUPPORT_CONTACTS = 50;

/**
 * Parse `/.well-known/matrix/support`. The spec requires at least one of
 * `contacts` or `support_page`; each contact needs a `role` and at least one
 * of `matrix_id` / `email_address`.
 */
export function parseWellKnownSupport(text: string): WellKnownSupport | ProbeError {
  const doc = parseJsonObject(text, MAX_WELL_KNOWN_CHARS);
  if (doc instanceof ProbeError) return doc;
  const issues: string[] = [];
  const contacts: SupportContact[] = [];
  const list = doc['contacts'];
  if (list !== undefined && !Array.isArray(list)) issues.push('"contacts" is not an array');
  if (Array.isArray(list)) {
    if (list.length > MAX_SUPPORT_CONTACTS) issues.push(`only the first ${MAX_SUPPORT_CONTACTS} of ${list.length} contacts kept`);
    for (const entry of list.slice(0, MAX_SUPPORT_CONTACTS)) {
      if (!isObject(entry)) { issues.push('a contact is not an object'); continue; }
      const contact = { role: str(entry['role'], 100), matrixId: str(entry['matrix_id'], 300), email: str(entry['email_address'], 300) };
      if (!contact.role) { issues.push('a contact has no role'); continue; }
      if (!contact.matrixId && !contact.email) { issues.push('a contact has neither matrix_id nor email_address'); continue; }
      contacts.push(contact);
    }
  }
  const page = str(doc['support_page'], 2000);
  let supportPage = '';
  if (page) {
    try {
      const url = new URL(page);
      if (url.protocol === 'https:' || url.protocol === 'http:') supportPage = url.href;
      else issues.push('support_page is not an http(s) URL');
    } catch {
      issues.push('support_page is not a URL');
    }
  }
  if (list === undefined && !page) issues.push('neither contacts nor support_page is present');
  return { contacts, supportPage, issues };
}
