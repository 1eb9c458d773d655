/**
 * Matrix federation request authentication: the signed request JSON and the
 * `Authorization: X-Matrix …` header, written and read.
 *
 * Spec: Matrix Specification v1.16, Server-Server API "Authentication /
 * Request Authentication" (the `destination` parameter is "added in v1.3";
 * senders MUST send it):
 * https://spec.matrix.org/v1.16/server-server-api/#request-authentication
 * (source: matrix-org/matrix-spec `content/server-server-api.md`)
 *
 * Reading follows the spec's summary of RFC 7235 §2.1 and checks it against
 * Synapse's reader (element-hq/synapse
 * `synapse/federation/transport/server/_base.py` `_parse_auth_header`,
 * `Authenticator.authenticate_request`):
 * - scheme `X-Matrix`, then one or more spaces, then `name=value` pairs
 *   separated by commas with optional spaces or tabs around them;
 * - names are case-insensitive; values are an RFC 7230 §3.2.6 token or a
 *   quoted-string whose backslash pairs are unescaped; colons are allowed in
 *   unquoted values "for compatibility with older servers";
 * - `origin`, `key` and `sig` are required, `destination` optional ("recipients
 *   should accept requests without this parameter"), unknown names ignored.
 *   (The spec's parameter list says `signature`, but its example, Synapse and
 *   every sender use `sig`, which is what Synapse requires.)
 * Stricter than Synapse, which splits on commas and `=` and takes the last of
 * duplicate names: a repeated name, an empty list element, a stray character
 * or a header longer than the cap is refused, so two readers of one header
 * can never disagree on what it says.
 */
import type { KeyObject } from 'node:crypto';
import { ProbeError } from '../errors.ts';
import { parseServerName } from './matrix-server-name.ts';
import { jsonSignature, verifyJsonSignature, type SigningKey } from './matrix-signing.ts';

/** A federation request as its signature covers it (spec: Request Authentication, step 1). */
export interface FederationRequest {
  /** HTTP method as sent (`GET`, `POST`, …). */
  method: string;
  /**
   * Request target as sent: the path from `/_matrix/…` with `?` and the query
   * when there is one, percent-encoding untouched; never the scheme or host.
   */
  uri: string;
  /** Server name of the sender, before any delegation. */
  origin: string;
  /** Server name of the receiver, before any delegation. */
  destination: string;
  /** The JSON-parsed request body; leave out for a request without one. */
  content?: unknown;
}

/** What an `X-Matrix` Authorization header says. */
export interface XMatrixAuthorization {
  /** `origin`: the sending server's name, as written (server names are case-sensitive). */
  origin: string;
  /** `destination`, or null when the sender left it out (servers before spec v1.3). */
  destination: string | null;
  /** `key`: the signing key id, `ed25519:…`. */
  keyId: string;
  /** `sig`: the signature, unpadded base64. */
  signature: string;
}

/** Options of {@link parseXMatrixHeader}. */
export interface XMatrixParseOptions {
  /**
   * Longest header value accepted, in characters. Two server names of at
   * most 261 characters, a key id and an 86-character signature fit well.
   * @default 2048
   */
  maxLength?: number;
}

/** Default of {@link XMatrixParseOptions.maxLength}. */
export const DEFAULT_X_MATRIX_MAX_LENGTH = 2048;
/** Most parameters read from one header (known and unknown together). */
const MAX_PARAMS = 16;
/** `alg:version`; the algorithm is checked when verifying. */
const KEY_ID = /^[A-Za-z0-9_]{1,32}:[A-Za-z0-9_]{1,64}$/;
/** Standard or URL-safe base64, optionally padded (checked for length when verifying). */
const SIGNATURE = /^[A-Za-z0-9+/_-]{1,128}={0,2}$/;
/** RFC 7230 §3.2.6 tchar. */
const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;
/** A value written between quotes by {@link formatXMatrixHeader}: visible ASCII, no quote or backslash. */
const SAFE_QUOTED = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * The JSON object that the request signature covers:
 * `{ method, uri, origin, destination, content? }` (spec: step 1).
 */
export function requestSigningJson(request: FederationRequest): Record<string, unknown> {
  const json: Record<string, unknown> = { method: request.method, uri: request.uri, origin: request.origin, destination: request.destination };
  if (request.content !== undefined) json['content'] = request.content;
  return json;
}

/**
 * The header value `X-Matrix origin="…",destination="…",key="…",sig="…"`,
 * in the form the spec asks senders to use for older servers: one space,
 * lower-case names, every value quoted, no backslashes.
 * @throws {TypeError} when a value is empty or holds a character that would
 * need escaping (a quote, a backslash, a space, a control or non-ASCII character).
 */
export function formatXMatrixHeader(auth: { origin: string; destination: string; keyId: string; signature: string }): string {
  const parts = [['origin', auth.origin], ['destination', auth.destination], ['key', auth.keyId], ['sig', auth.signature]] as const;
  for (const [name, value] of parts) {
    if (typeof value !== 'string' || !SAFE_QUOTED.test(value)) throw new TypeError(`X-Matrix ${name} ${JSON.stringify(value)} must be visible ASCII without quotes or backslashes`);
  }
  return `X-Matrix ${parts.map(([name, value]) => `${name}="${value}"`).join(',')}`;
}

/**
 * Sign a request as `request.origin` with `key`.
 * @returns the `Authorization` header value, or ProbeError `json.not-canonical`
 * when the body has no canonical JSON form (a float, say).
 * @throws {TypeError} from {@link formatXMatrixHeader} for an unsafe server name.
 */
export function signFederationRequest(request: FederationRequest, key: SigningKey): string | ProbeError {
  const signature = jsonSignature(requestSigningJson(request), key);
  if (signature instanceof ProbeError) return signature;
  return formatXMatrixHeader({ origin: request.origin, destination: request.destination, keyId: key.keyId, signature });
}

/**
 * Parse one `Authorization` header value of scheme `X-Matrix`. Checks the
 * syntax, that `origin` and `destination` are server names, that `key`
 * looks like `alg:version` and `sig` like base64; no cryptography.
 * @returns the parameters, or ProbeError `matrix.bad-auth-header`.
 */
export function parseXMatrixHeader(header: string, options: XMatrixParseOptions = {}): XMatrixAuthorization | ProbeError {
  const maxLength = options.maxLength ?? DEFAULT_X_MATRIX_MAX_LENGTH;
  const fail = (why: string) => new ProbeError('matrix.bad-auth-header', `X-Matrix header: ${why}`);
  if (typeof header !== 'string') return fail('not a string');
  if (header.length > maxLength) return fail(`${header.length} characters, more than the cap of ${maxLength}`);
  // Header values are ASCII in practice; obs-text (RFC 7230 §3.2.6) is refused rather than guessed at.
  if (/[^\t\x20-\x7e]/.test(header)) return fail('holds a control or non-ASCII character');
  const scheme = /^X-Matrix +/i.exec(header);
  if (!scheme) return fail('the scheme is not "X-Matrix" followed by a space');
  const params = readParams(header, scheme[0].length);
  if (typeof params === 'string') return fail(params);
  const origin = params.get('origin');
  const keyId = params.get('key');
  const signature = params.get('sig');
  const destination = params.get('destination') ?? null;
  if (origin === undefined) return fail('no origin');
  if (keyId === undefined) return fail('no key');
  if (signature === undefined) return fail('no sig');
  if (parseServerName(origin) instanceof ProbeError) return fail(`origin ${JSON.stringify(origin.slice(0, 80))} is not a server name`);
  if (destination !== null && parseServerName(destination) instanceof ProbeError) return fail(`destination ${JSON.stringify(destination.slice(0, 80))} is not a server name`);
  if (!KEY_ID.test(keyId)) return fail(`key ${JSON.stringify(keyId.slice(0, 80))} is not alg:version`);
  if (!SIGNATURE.test(signature)) return fail('sig is not base64');
  return { origin, destination, keyId, signature };
}

/** The `name=value` list from `start`: lower-cased names → unescaped values, or why it does not parse. */
function readParams(header: string, start: number): Map<string, string> | string {
  const params = new Map<string, string>();
  let i = start;
  const skipSpace = () => { while (header[i] === ' ' || header[i] === '\t') i++; };
  for (;;) {
    const nameStart = i;
    while (i < header.length && TCHAR.test(header[i]!)) i++;
    if (i === nameStart) return `expected a parameter name at character ${i}`;
    const name = header.slice(nameStart, i).toLowerCase();
    skipSpace();
    if (header[i] !== '=') return `expected "=" after ${JSON.stringify(name.slice(0, 40))}`;
    i++;
    skipSpace();
    let value = '';
    if (header[i] === '"') {
      i++;
      for (;;) {
        const c = header[i];
        if (c === undefined) return `unterminated quoted value of ${name.slice(0, 40)}`;
        i++;
        if (c === '"') break;
        if (c === '\\') {
          const escaped = header[i];
          if (escaped === undefined) return `unterminated quoted value of ${name.slice(0, 40)}`;
          value += escaped;
          i++;
        } else {
          value += c;
        }
      }
    } else {
      const valueStart = i;
      while (i < header.length && (TCHAR.test(header[i]!) || header[i] === ':')) i++;
      if (i === valueStart) return `empty or malformed value of ${name.slice(0, 40)}`;
      value = header.slice(valueStart, i);
    }
    if (params.has(name)) return `parameter ${JSON.stringify(name.slice(0, 40))} appears twice`;
    if (params.size >= MAX_PARAMS) return `more than ${MAX_PARAMS} parameters`;
    params.set(name, value);
    skipSpace();
    if (i === header.length) return params;
    if (header[i] !== ',') return `unexpected ${JSON.stringify(header[i])} at character ${i}`;
    i++;
    skipSpace();
    if (i === header.length) return 'ends with a comma';
  }
}

/**
 * Check an inbound request's X-Matrix signature, as the receiving server
 * `ownServerName`. The signed JSON is rebuilt with our own name as
 * `destination` (as Synapse does), so a request signed for another server
 * fails even when its header leaves `destination` out; a header naming
 * another destination is refused first (the spec: "must deny … 401").
 * Finding `publicKey` for `auth.origin` and `auth.keyId` is the caller's job.
 * @param request method, uri and body exactly as received.
 * @returns true, or ProbeError `matrix.bad-signature` / `json.not-canonical`.
 */
export function verifyFederationRequest(request: Omit<FederationRequest, 'origin' | 'destination'>, auth: XMatrixAuthorization, ownServerName: string, publicKey: KeyObject | string): true | ProbeError {
  if (auth.destination !== null && auth.destination !== ownServerName) {
    return new ProbeError('matrix.bad-signature', `the request is for ${JSON.stringify(auth.destination.slice(0, 100))}, not ${JSON.stringify(ownServerName)}`);
  }
  const json = requestSigningJson({ ...request, origin: auth.origin, destination: ownServerName });
  json['signatures'] = { [auth.origin]: { [auth.keyId]: auth.signature } };
  return verifyJsonSignature(json, auth.origin, auth.keyId, publicKey);
}
