/**
 * A server's published signing keys, `GET /_matrix/key/v2/server`: written
 * for our own identity, and read strictly from a remote server.
 *
 * Spec: Matrix Specification v1.16, Server-Server API "Retrieving server keys /
 * Publishing Keys" and the Server Keys schema:
 * https://spec.matrix.org/v1.16/server-server-api/#get_matrixkeyv2server
 * (source: matrix-org/matrix-spec `data/api/server-server/keys_server.yaml`,
 * `data/api/server-server/definitions/keys.yaml`)
 *
 * - required: `server_name`, `verify_keys` (key id → `{ key }`), `signatures`,
 *   `valid_until_ts`; optional `old_verify_keys` (key id → `{ key, expired_ts }`);
 * - "Servers MUST use the lesser of [valid_until_ts] and 7 days into the
 *   future when determining if a key is valid" (room versions 5+): a
 *   receiving-side rule, offered as {@link effectiveValidUntil};
 * - "Originating servers should avoid returning responses that expire in less
 *   than an hour": {@link buildServerKeysResponse} refuses a validity under 1 h
 *   or over 7 days.
 *
 * Reading follows Synapse (element-hq/synapse `synapse/crypto/keyring.py`
 * `ServerKeyFetcher.get_server_verify_keys_v2_direct`, `process_v2_response`):
 * `server_name` must be the server asked; at least one signature by the
 * server itself with one of its `verify_keys` must verify; keys of unknown
 * algorithms are skipped. Stricter than Synapse, which stops at the first
 * good signature: every signature by a listed ed25519 key must verify, and
 * every ed25519 key, current or old, must decode to 32 bytes.
 *
 * The probe-side reader that reports problems on a server page instead of
 * refusing is crawler/protocol/matrix-keys.ts.
 */
import { ProbeError } from '../errors.ts';
import { decodeBase64 } from './matrix-base64.ts';
import { isObject, parseJsonObject, type JsonObject } from './matrix-json.ts';
import { ED25519_PUBLIC_KEY_BYTES, isEd25519KeyId, publicKeyFromBase64, signJson, verifyJsonSignature, type SigningKey } from './matrix-signing.ts';

/** The spec's cap on how far ahead a published key list counts as valid. */
export const MAX_KEY_VALIDITY_MS = 7 * 24 * 60 * 60 * 1000;
/** The spec's floor for a response we publish ("avoid … less than an hour"). */
export const MIN_KEY_VALIDITY_MS = 60 * 60 * 1000;

/** A key no longer used for new signatures, published so old signatures still verify. */
export interface OldVerifyKey {
  /** `ed25519:…` */
  keyId: string;
  /** Public key, unpadded base64. */
  publicKey: string;
  /** When the key stopped being used, ms since the epoch (`expired_ts`). */
  expiredTs: number;
}

/** What {@link buildServerKeysResponse} publishes. */
export interface ServerKeysInput {
  /** Our server name. */
  serverName: string;
  /** The current key: listed in `verify_keys` and signing the response. */
  currentKey: SigningKey;
  /** Keys used before, listed in `old_verify_keys`. @default [] */
  oldKeys?: readonly OldVerifyKey[];
  /** The time of the response, ms since the epoch. */
  now: number;
  /**
   * How long remote servers may cache the list (`valid_until_ts` = now + this).
   * Synapse's default `key_refresh_interval` is one day.
   * @default 86_400_000 (1 day)
   */
  validForMs?: number;
}

/**
 * The body of our `GET /_matrix/key/v2/server`, self-signed by the current key.
 * @throws {RangeError} when `validForMs` is outside [1 h, 7 days] or `now` is
 * not a timestamp; {@link TypeError} when an old key is malformed or reuses
 * the current key's id.
 */
export function buildServerKeysResponse(input: ServerKeysInput): JsonObject {
  const validForMs = input.validForMs ?? 24 * 60 * 60 * 1000;
  if (!Number.isSafeInteger(input.now) || input.now < 0) throw new RangeError(`now must be a timestamp in ms, got ${String(input.now)}`);
  if (!Number.isSafeInteger(validForMs) || validForMs < MIN_KEY_VALIDITY_MS || validForMs > MAX_KEY_VALIDITY_MS) {
    throw new RangeError(`validForMs must be between ${MIN_KEY_VALIDITY_MS} (1 h) and ${MAX_KEY_VALIDITY_MS} (7 days), got ${String(validForMs)}`);
  }
  const oldVerifyKeys: Record<string, { key: string; expired_ts: number }> = {};
  for (const old of input.oldKeys ?? []) {
    if (!isEd25519KeyId(old.keyId) || old.keyId === input.currentKey.keyId || !Number.isSafeInteger(old.expiredTs) || !publicKeyFromBase64(old.publicKey)) {
      throw new TypeError(`old verify key ${JSON.stringify(old.keyId)} is malformed or is the current key`);
    }
    oldVerifyKeys[old.keyId] = { key: old.publicKey, expired_ts: old.expiredTs };
  }
  const body = {
    server_name: input.serverName,
    verify_keys: { [input.currentKey.keyId]: { key: input.currentKey.publicKey } },
    old_verify_keys: oldVerifyKeys,
    valid_until_ts: input.now + validForMs,
  };
  const signed = signJson(body, input.serverName, input.currentKey);
  // Only strings and safe integers above: a canonical form always exists.
  if (signed instanceof ProbeError) throw signed;
  return signed;
}

/** A remote server's keys after {@link parseServerKeysResponse} checked them. */
export interface VerifiedServerKeys {
  /** `server_name`, equal to the name asked. */
  serverName: string;
  /** `valid_until_ts` as sent (ms); see {@link effectiveValidUntil} for the 7-day cap. */
  validUntilTs: number;
  /** Current ed25519 keys: key id → public key (unpadded base64, as sent). */
  verifyKeys: Record<string, string>;
  /** Old ed25519 keys: key id → public key and `expired_ts`. */
  oldVerifyKeys: Record<string, { publicKey: string; expiredTs: number }>;
  /** Key ids whose self-signature verified (at least one), sorted. */
  signedBy: string[];
}

/** Options of {@link parseServerKeysResponse}. */
export interface ServerKeysParseOptions {
  /**
   * Largest body accepted, in UTF-8 bytes. Real responses are well under
   * 4 KiB (one key, a few old ones); the HTTP layer caps the read first.
   * @default 65536
   */
  maxBytes?: number;
  /** Most keys accepted in `verify_keys` and in `old_verify_keys`, each. @default 64 */
  maxKeys?: number;
}

/**
 * Parse and verify a remote `GET /_matrix/key/v2/server` body.
 * @param body the raw body, bytes (decoded as strict UTF-8) or text.
 * @param expectedServerName the server name that was asked; compared exactly.
 * @returns the checked keys, or a ProbeError: `json.invalid` (too large, not
 * UTF-8 or JSON), `json.schema` (a field missing or malformed),
 * `matrix.bad-response` (another server's name), `matrix.bad-signature` (not
 * self-signed by a current key, or a signature that fails), `json.not-canonical`.
 */
export function parseServerKeysResponse(body: Uint8Array | string, expectedServerName: string, options: ServerKeysParseOptions = {}): VerifiedServerKeys | ProbeError {
  const maxBytes = options.maxBytes ?? 64 * 1024;
  const maxKeys = options.maxKeys ?? 64;
  // A string longer than maxBytes code units is longer than maxBytes UTF-8 bytes: no need to count.
  const size = typeof body === 'string' ? (body.length > maxBytes ? body.length : Buffer.byteLength(body, 'utf8')) : body.byteLength;
  if (size > maxBytes) return new ProbeError('json.invalid', `key response exceeds the cap of ${maxBytes} bytes`);
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      return new ProbeError('json.invalid', 'key response is not UTF-8');
    }
  }
  const doc = parseJsonObject(text, maxBytes);
  if (doc instanceof ProbeError) return doc;
  const serverName = doc['server_name'];
  if (typeof serverName !== 'string') return new ProbeError('json.schema', '"server_name" is missing or not a string');
  if (serverName !== expectedServerName) {
    return new ProbeError('matrix.bad-response', `key response names ${JSON.stringify(serverName.slice(0, 100))}, not ${JSON.stringify(expectedServerName)}`);
  }
  const validUntilTs = doc['valid_until_ts'];
  if (typeof validUntilTs !== 'number' || !Number.isSafeInteger(validUntilTs) || validUntilTs < 0) {
    return new ProbeError('json.schema', '"valid_until_ts" is missing or not a non-negative integer');
  }
  const verifyKeys = readKeys(doc['verify_keys'], 'verify_keys', maxKeys, false);
  if (verifyKeys instanceof ProbeError) return verifyKeys;
  const oldVerifyKeys = doc['old_verify_keys'] === undefined ? {} : readKeys(doc['old_verify_keys'], 'old_verify_keys', maxKeys, true);
  if (oldVerifyKeys instanceof ProbeError) return oldVerifyKeys;
  const signedBy = checkSelfSignatures(doc, serverName, verifyKeys, maxKeys);
  if (signedBy instanceof ProbeError) return signedBy;
  const current: Record<string, string> = {};
  for (const [id, k] of Object.entries(verifyKeys)) current[id] = k.publicKey;
  const old: Record<string, { publicKey: string; expiredTs: number }> = {};
  for (const [id, k] of Object.entries(oldVerifyKeys)) old[id] = { publicKey: k.publicKey, expiredTs: k.expiredTs ?? 0 };
  return { serverName, validUntilTs, verifyKeys: current, oldVerifyKeys: old, signedBy };
}

/**
 * Until when a key list may be used for signatures checked at `now`: the
 * lesser of `valid_until_ts` and 7 days after `now` (spec, Server Keys
 * schema; applies to room versions 5 and later, and is a sensible bound for
 * request signatures). A result before `now` means: fetch the keys again.
 */
export function effectiveValidUntil(keys: Pick<VerifiedServerKeys, 'validUntilTs'>, now: number): number {
  return Math.min(keys.validUntilTs, now + MAX_KEY_VALIDITY_MS);
}

interface ReadKey {
  publicKey: string;
  expiredTs: number | null;
}

/** ed25519 entries of `verify_keys` / `old_verify_keys`; other algorithms are skipped. */
function readKeys(value: unknown, field: string, maxKeys: number, old: boolean): Record<string, ReadKey> | ProbeError {
  if (!isObject(value)) return new ProbeError('json.schema', `"${field}" is missing or not an object`);
  const ids = Object.keys(value);
  if (ids.length > maxKeys) return new ProbeError('json.schema', `"${field}" lists ${ids.length} keys, more than ${maxKeys}`);
  const out: Record<string, ReadKey> = Object.create(null) as Record<string, ReadKey>;
  for (const id of ids) {
    if (!id.startsWith('ed25519:')) continue;
    const entry = value[id];
    const where = `${field}[${JSON.stringify(id.slice(0, 80))}]`;
    if (!isEd25519KeyId(id)) return new ProbeError('json.schema', `${where}: the key id's version is not [A-Za-z0-9_]`);
    if (!isObject(entry) || typeof entry['key'] !== 'string') return new ProbeError('json.schema', `${where} has no "key" string`);
    const raw = decodeBase64(entry['key'], 64);
    if (!raw || raw.length !== ED25519_PUBLIC_KEY_BYTES) return new ProbeError('json.schema', `${where}: "key" is not ${ED25519_PUBLIC_KEY_BYTES} bytes of base64`);
    let expiredTs: number | null = null;
    if (old) {
      const ts = entry['expired_ts'];
      if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0) return new ProbeError('json.schema', `${where}: "expired_ts" is missing or not a non-negative integer`);
      expiredTs = ts;
    }
    out[id] = { publicKey: entry['key'], expiredTs };
  }
  return out;
}

/** Key ids of `verifyKeys` whose signature by `serverName` verifies; every such signature must. */
function checkSelfSignatures(doc: JsonObject, serverName: string, verifyKeys: Record<string, ReadKey>, maxKeys: number): string[] | ProbeError {
  const signatures = doc['signatures'];
  if (!isObject(signatures)) return new ProbeError('json.schema', '"signatures" is missing or not an object');
  const own = signatures[serverName];
  if (!isObject(own)) return new ProbeError('matrix.bad-signature', `the key response is not signed by ${JSON.stringify(serverName)} itself`);
  const ids = Object.keys(own);
  if (ids.length > maxKeys) return new ProbeError('json.schema', `"signatures" lists ${ids.length} keys of the server, more than ${maxKeys}`);
  const signedBy: string[] = [];
  for (const id of ids) {
    // A signature by a key not listed as current (an old key, another algorithm) proves nothing here: skipped, as in Synapse.
    const key = verifyKeys[id];
    if (!key) continue;
    const ok = verifyJsonSignature(doc, serverName, id, key.publicKey);
    if (ok instanceof ProbeError) return ok;
    signedBy.push(id);
  }
  if (signedBy.length === 0) return new ProbeError('matrix.bad-signature', `the key response is not signed by any of ${JSON.stringify(serverName)}'s verify_keys`);
  return signedBy.sort();
}
