/**
 * Matrix server signing keys.
 *
 * Spec: Matrix Specification v1.16, Server-Server API `GET /_matrix/key/v2/server`
 * and "Signing JSON" (ed25519 over canonical JSON without `signatures` and `unsigned`):
 * https://spec.matrix.org/v1.16/server-server-api/#get_matrixkeyv2server
 * https://spec.matrix.org/v1.16/appendices/#signing-json
 *
 * Keys and signatures are unpadded base64 (spec appendix "Unpadded Base64").
 */
import { createPublicKey, verify } from 'node:crypto';
import { ProbeError } from '../errors.ts';
import { canonicalJson, isObject, nonNegInt, parseJsonObject, str } from './matrix-json.ts';

/** What a key response says and whether it holds up. */
export interface ServerKeys {
  /** `server_name` as sent. */
  serverName: string;
  /** `server_name` equals the name we asked for. */
  serverNameMatches: boolean;
  /** `valid_until_ts` as an ISO date, or null when absent/invalid. */
  validUntil: string | null;
  /** `valid_until_ts` is in the past at `now`. */
  expired: boolean;
  /** Current key ids (`ed25519:abc`), sorted. */
  keyIds: string[];
  /** Old key ids, sorted. */
  oldKeyIds: string[];
  /** A signature by the server's own current ed25519 key verifies (null: nothing to verify). */
  signatureValid: boolean | null;
  /** Problems for the server page. */
  issues: string[];
}

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4); the 32-byte key follows. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Decode unpadded (or padded) standard base64; null when not base64. */
function unpaddedBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  return Buffer.from(text, 'base64');
}

/**
 * Parse and check `/_matrix/key/v2/server`.
 * @param expectedServer the server name we asked (compared to `server_name`).
 * @param now the time of the probe, for expiry.
 */
export function parseServerKeys(text: string, expectedServer: string, now: Date): ServerKeys | ProbeError {
  const doc = parseJsonObject(text, 256 * 1024);
  if (doc instanceof ProbeError) return doc;
  const serverName = str(doc['server_name'], 300);
  if (!serverName) return new ProbeError('json.schema', '"server_name" is missing');
  const verifyKeys = doc['verify_keys'];
  if (!isObject(verifyKeys)) return new ProbeError('json.schema', '"verify_keys" is missing or not an object');
  const issues: string[] = [];
  const serverNameMatches = serverName === expectedServer;
  if (!serverNameMatches) issues.push(`server_name ${JSON.stringify(serverName)} differs from ${JSON.stringify(expectedServer)}`);
  const ts = nonNegInt(doc['valid_until_ts']);
  const validUntil = ts === null || ts > 8.64e15 ? null : new Date(ts).toISOString();
  if (validUntil === null) issues.push('valid_until_ts is missing or invalid');
  const expired = ts !== null && ts < now.getTime();
  if (expired) issues.push('keys expired (valid_until_ts in the past)');
  const keyIds = Object.keys(verifyKeys).slice(0, 50).sort();
  if (keyIds.length === 0) issues.push('no verify_keys');
  const old = doc['old_verify_keys'];
  const oldKeyIds = isObject(old) ? Object.keys(old).slice(0, 50).sort() : [];
  const signatureValid = checkSelfSignature(doc, serverName, verifyKeys, issues);
  return { serverName, serverNameMatches, validUntil, expired, keyIds, oldKeyIds, signatureValid, issues };
}

/**
 * Verify the response's signatures by its own current ed25519 keys. Valid
 * when every such signature that names a current key verifies and at least one does.
 */
function checkSelfSignature(doc: Record<string, unknown>, serverName: string, verifyKeys: Record<string, unknown>, issues: string[]): boolean | null {
  const signatures = doc['signatures'];
  const own = isObject(signatures) ? signatures[serverName] : undefined;
  if (!isObject(own)) {
    issues.push('no signature by the server itself');
    return null;
  }
  const { signatures: _s, unsigned: _u, ...signed } = doc;
  const message = canonicalJson(signed);
  if (message === null) {
    issues.push('response is not canonical-JSON encodable (non-integer number)');
    return false;
  }
  let checked = 0;
  for (const [keyId, sig] of Object.entries(own).slice(0, 20)) {
    if (!keyId.startsWith('ed25519:')) continue;
    const entry = verifyKeys[keyId];
    if (!isObject(entry) || typeof entry['key'] !== 'string' || typeof sig !== 'string') continue;
    const key = unpaddedBase64(entry['key']);
    const signature = unpaddedBase64(sig);
    if (!key || key.length !== 32 || !signature || signature.length !== 64) {
      issues.push(`${keyId}: key or signature has the wrong length`);
      return false;
    }
    const publicKey = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, key]), format: 'der', type: 'spki' });
    if (!verify(null, Buffer.from(message, 'utf8'), publicKey, signature)) {
      issues.push(`${keyId}: signature does not verify`);
      return false;
    }
    checked += 1;
  }
  if (checked === 0) {
    issues.push('no signature by a current ed25519 key');
    return null;
  }
  return true;
}
