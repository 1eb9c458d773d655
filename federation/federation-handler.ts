/**
 * The Matrix federation endpoints `chatlas serve` answers when Chatlas has a federation identity
 * (CHATLAS_MATRIX_SERVER_NAME). Operators put their TLS proxy in front (README: nginx, Caddy):
 * - `GET /_matrix/key/v2/server`: our keys, self-signed (federation/identity.ts holds them);
 * - `GET /_matrix/federation/v1/version`: `Chatlas` and its version;
 * - `GET /.well-known/matrix/server`: delegation, when configured;
 * - `GET`/`POST /_matrix/federation/v1/publicRooms`: Chatlas's room index as a directory server,
 *   to signed requests only (federation/public-rooms.ts);
 * - any other `/_matrix/` path: 404 `M_UNRECOGNIZED`, as a homeserver answers.
 *
 * Every signed request is verified (federation/verify-inbound.ts); a failure is 401
 * `M_UNAUTHORIZED` and nothing is stored. A verified origin is reported to `onOrigin` (the
 * caller records it as a discovery, `contacted-us`, at most once a day per origin).
 * Spec: Matrix Server-Server API v1.16: https://spec.matrix.org/v1.16/server-server-api/
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProbeError } from '../crawler/errors.ts';
import { buildServerKeysResponse, type OldVerifyKey } from '../crawler/protocol/matrix-server-keys.ts';
import type { SigningKey } from '../crawler/protocol/matrix-signing.ts';
import type { RemoteKeys } from './remote-keys.ts';
import { verifyInbound, type VerifiedOrigin } from './verify-inbound.ts';
import { answerDirectory, parseDirectoryRequest, type DirectorySource } from './public-rooms.ts';

/** Our keys now. */
export interface FederationKeys {
  current: SigningKey;
  old: readonly OldVerifyKey[];
}

/** Options of {@link createFederationHandler}. */
export interface FederationHandlerOptions {
  /** The server name Chatlas federates as. */
  serverName: string;
  /** Our keys (read from the store; rotation shows on the next call). */
  keys: () => Promise<FederationKeys>;
  /** Other servers' keys, fetched through the guarded network layer. */
  remoteKeys: RemoteKeys;
  /** Chatlas's version, for `/_matrix/federation/v1/version`. */
  version: string;
  /** `m.server` of our `.well-known/matrix/server` (host[:port]); '' = do not serve it. @default '' */
  delegateTo?: string;
  /** The room index, Matrix rooms only. */
  directory: DirectorySource;
  /** A verified origin (record it as a discovery). Errors are the caller's to log. */
  onOrigin?: (origin: VerifiedOrigin) => void;
  /** Largest request body read, bytes. @default 65536 */
  maxBodyBytes?: number;
  /** How long remote servers may cache our keys, ms (spec: at most 7 days). @default 86400000 */
  keyValidityMs?: number;
  /** The clock (ms). @default Date.now */
  now?: () => number;
}

/** Answers a request and returns true, or returns false for a path that is not ours. */
export type FederationHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

function send(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'access-control-allow-origin': '*', ...extra });
  res.end(text);
}

function matrixError(res: ServerResponse, status: number, errcode: string, error: string): void {
  send(res, status, { errcode, error });
}

const READ: ReadonlySet<string> = new Set(['GET', 'HEAD']);
const DIRECTORY: ReadonlySet<string> = new Set(['GET', 'POST']);

/** Answer 405 (as a homeserver does, M_UNRECOGNIZED) when `method` is not one of `allowed`; true when answered. */
function refusedMethod(res: ServerResponse, method: string, allowed: ReadonlySet<string>): boolean {
  if (allowed.has(method)) return false;
  matrixError(res, 405, 'M_UNRECOGNIZED', 'method not allowed');
  return true;
}

/** Read a JSON body of at most `max` bytes; null when too large or not JSON. */
async function readJson(req: IncomingMessage, max: number): Promise<{ value: unknown } | { error: string; status: number }> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > max) return { error: 'request body too large', status: 413 };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return { error: 'request body too large', status: 413 };
    chunks.push(chunk);
  }
  if (size === 0) return { value: undefined };
  try {
    return { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { error: 'the body is not JSON', status: 400 };
  }
}

/** Build the handler. */
export function createFederationHandler(options: FederationHandlerOptions): FederationHandler {
  const now = options.now ?? Date.now;
  const maxBody = options.maxBodyBytes ?? 64 * 1024;

  async function authenticate(req: IncomingMessage, res: ServerResponse, content: unknown): Promise<VerifiedOrigin | null> {
    const verified = await verifyInbound(
      { method: req.method ?? 'GET', uri: req.url ?? '/', authorization: req.headers.authorization, ...(content !== undefined ? { content } : {}) },
      options.serverName, options.remoteKeys, now(),
    );
    if (verified instanceof ProbeError) {
      if (verified.code === 'policy.rate-limited') {
        matrixError(res, 429, 'M_LIMIT_EXCEEDED', verified.message);
      } else {
        matrixError(res, 401, 'M_UNAUTHORIZED', verified.message);
      }
      return null;
    }
    options.onOrigin?.(verified);
    return verified;
  }

  return async (req, res) => {
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0]!;
    const method = req.method ?? 'GET';
    if (path === '/.well-known/matrix/server') {
      if (!options.delegateTo) return false;
      if (refusedMethod(res, method, READ)) return true;
      send(res, 200, { 'm.server': options.delegateTo });
      return true;
    }
    if (!path.startsWith('/_matrix/')) return false;
    if (path === '/_matrix/key/v2/server') {
      if (refusedMethod(res, method, READ)) return true;
      const keys = await options.keys();
      send(res, 200, buildServerKeysResponse({
        serverName: options.serverName, currentKey: keys.current, oldKeys: keys.old, now: now(),
        validForMs: options.keyValidityMs ?? 86_400_000,
      }));
      return true;
    }
    if (path === '/_matrix/federation/v1/version') {
      if (refusedMethod(res, method, READ)) return true;
      send(res, 200, { server: { name: 'Chatlas', version: options.version } });
      return true;
    }
    if (path === '/_matrix/federation/v1/publicRooms') {
      if (refusedMethod(res, method, DIRECTORY)) return true;
      let body: unknown;
      if (method === 'POST') {
        const read = await readJson(req, maxBody);
        if ('error' in read) return void matrixError(res, read.status, read.status === 413 ? 'M_TOO_LARGE' : 'M_NOT_JSON', read.error), true;
        body = read.value;
      }
      if (!(await authenticate(req, res, body))) return true;
      const parsed = method === 'POST'
        ? parseDirectoryRequest({ body: body ?? {} })
        : parseDirectoryRequest({ query: new URL(url, 'http://x').searchParams });
      if ('error' in parsed) return void matrixError(res, 400, 'M_INVALID_PARAM', parsed.error), true;
      send(res, 200, await answerDirectory(parsed, options.directory));
      return true;
    }
    matrixError(res, 404, 'M_UNRECOGNIZED', 'Unrecognized request');
    return true;
  };
}
