/**
 * Signing and checking Matrix JSON with ed25519 keys.
 *
 * Spec: Matrix Specification v1.16, "Appendices / Signing JSON" (Signing
 * Details, Checking for a Signature) and "Cryptographic Test Vectors":
 * https://spec.matrix.org/v1.16/appendices/#signing-details
 * https://spec.matrix.org/v1.16/appendices/#checking-for-a-signature
 * (source: matrix-org/matrix-spec `content/appendices.md`)
 *
 * Key ids: Server-Server API "Retrieving server keys", key id = algorithm and
 * version, version matching `[a-zA-Z0-9_]`
 * (matrix-org/matrix-spec `data/api/server-server/definitions/keys.yaml`).
 * New ids follow Synapse's `a_` prefix (element-hq/synapse
 * `synapse/_scripts/generate_signing_key.py`: `"a_" + random_string(4)`),
 * with 8 characters instead of 4 so that an id is never reused across rotations.
 *
 * ed25519 is node:crypto's (RFC 8032 over OpenSSL), so no dependency: a seed
 * becomes a PKCS#8 private key, a raw public key an SPKI one (RFC 8410 §7, §4).
 */
import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { ProbeError } from '../errors.ts';
import { decodeBase64, encodeUnpaddedBase64 } from './matrix-base64.ts';
import { encodeCanonicalJson } from './matrix-canonical-json.ts';

/** An ed25519 signing key and its Matrix key id. */
export interface SigningKey {
  /** `ed25519:<version>`, e.g. `ed25519:a_Xk3q9ZbT`. */
  readonly keyId: string;
  /** The 32-byte RFC 8032 private key ("seed"): the secret that is stored. */
  readonly seed: Buffer;
  /** The public key as unpadded base64, as `verify_keys` publishes it. */
  readonly publicKey: string;
  /** The private key as node:crypto uses it. */
  readonly privateKey: KeyObject;
}

/** The `signatures` member of a signed object: signing entity → key id → unpadded base64 signature. */
export type Signatures = Record<string, Record<string, string>>;

/** Bytes of an ed25519 seed, public key and signature (RFC 8032 §5.1.5, §5.1.6). */
export const ED25519_SEED_BYTES = 32;
/** @see ED25519_SEED_BYTES */
export const ED25519_PUBLIC_KEY_BYTES = 32;
/** @see ED25519_SEED_BYTES */
export const ED25519_SIGNATURE_BYTES = 64;

/** A key id we can use: the ed25519 algorithm and a spec-conformant version. */
const ED25519_KEY_ID = /^ed25519:[A-Za-z0-9_]{1,64}$/;
/** DER before the 32 seed bytes of an Ed25519 PKCS#8 private key (RFC 8410 §7). */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** DER before the 32 key bytes of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4). */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Longest base64 text read for a key (32 bytes: 43 characters, 44 padded). */
const MAX_KEY_CHARS = 64;
/** Longest base64 text read for a signature (64 bytes: 86 characters, 88 padded). */
const MAX_SIGNATURE_CHARS = 128;

/** True for `ed25519:<version>` with the spec's version characters (`[a-zA-Z0-9_]`, up to 64). */
export function isEd25519KeyId(keyId: unknown): keyId is string {
  return typeof keyId === 'string' && ED25519_KEY_ID.test(keyId);
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A fresh key id, `ed25519:a_` and 8 random letters or digits (62^8 ≈ 2·10^14
 * ids). Remote servers bind a key id to its key for good (element-hq/synapse
 * `keyring.py`, MSC4499 "first seen wins"), so an id must never come back.
 */
export function newKeyId(): string {
  let out = '';
  while (out.length < 8) {
    for (const byte of randomBytes(16)) {
      // 248 = 4 × 62: rejecting 248-255 keeps every character equally likely.
      if (byte < 248 && out.length < 8) out += ID_ALPHABET[byte % 62];
    }
  }
  return `ed25519:a_${out}`;
}

/**
 * The signing key for a stored seed.
 * @param seed 32 bytes, or their base64 (as stored).
 * @throws {TypeError} when the key id is not `ed25519:[A-Za-z0-9_]+` or the
 * seed is not 32 bytes (a corrupt store or a bug; the seed is never quoted).
 */
export function signingKeyFromSeed(keyId: string, seed: Uint8Array | string): SigningKey {
  if (!isEd25519KeyId(keyId)) throw new TypeError(`signing key id ${JSON.stringify(String(keyId).slice(0, 80))} is not ed25519:[A-Za-z0-9_]+`);
  const bytes = typeof seed === 'string' ? decodeBase64(seed, MAX_KEY_CHARS) : Buffer.from(seed);
  if (!bytes || bytes.length !== ED25519_SEED_BYTES) throw new TypeError(`the seed of signing key ${keyId} is not ${ED25519_SEED_BYTES} bytes of base64`);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, bytes]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { keyId, seed: bytes, publicKey: encodeUnpaddedBase64(spki.subarray(SPKI_PREFIX.length)), privateKey };
}

/** A new random signing key (32 random bytes are an ed25519 private key: RFC 8032 §5.1.5). */
export function generateSigningKey(keyId: string = newKeyId()): SigningKey {
  return signingKeyFromSeed(keyId, randomBytes(ED25519_SEED_BYTES));
}

/**
 * A public key object from unpadded (or padded, or URL-safe) base64.
 * @returns the key, or null when the text is not 32 bytes of base64.
 */
export function publicKeyFromBase64(text: string): KeyObject | null {
  const raw = decodeBase64(text, MAX_KEY_CHARS);
  if (!raw || raw.length !== ED25519_PUBLIC_KEY_BYTES) return null;
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    return null;
  }
}

/** The object without `signatures` and `unsigned`: what a signature covers (spec: Signing Details). */
function signedPart(object: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { signatures: _signatures, unsigned: _unsigned, ...rest } = object;
  return rest;
}

/**
 * The signature of `object` by `key`: ed25519 over the canonical JSON of the
 * object without `signatures` and `unsigned`, as unpadded base64.
 * @returns the signature, or ProbeError `json.not-canonical`.
 */
export function jsonSignature(object: Readonly<Record<string, unknown>>, key: SigningKey): string | ProbeError {
  const text = encodeCanonicalJson(signedPart(object));
  if (text instanceof ProbeError) return text;
  return encodeUnpaddedBase64(sign(null, Buffer.from(text, 'utf8'), key.privateKey));
}

/**
 * Sign `object` as `signingName` (a server name): a copy with
 * `signatures[signingName][key.keyId]` added. Other signatures and `unsigned`
 * are kept and not covered; `object` itself is not changed.
 * @returns the signed copy, or ProbeError `json.not-canonical`.
 * @example signJson({ one: 1, two: 'Two' }, 'domain', key).signatures.domain['ed25519:1']
 */
export function signJson<T extends Readonly<Record<string, unknown>>>(object: T, signingName: string, key: SigningKey): (T & { signatures: Signatures }) | ProbeError {
  const signature = jsonSignature(object, key);
  if (signature instanceof ProbeError) return signature;
  const existing = object['signatures'];
  const signatures: Signatures = {};
  if (isRecord(existing)) {
    for (const [name, byKey] of Object.entries(existing)) if (isRecord(byKey)) signatures[name] = { ...(byKey as Record<string, string>) };
  }
  signatures[signingName] = { ...signatures[signingName], [key.keyId]: signature };
  return { ...object, signatures };
}

/**
 * Check that `object` carries a valid signature by `signingName` with key
 * `keyId` (spec: Checking for a Signature, steps 1, 4-7; finding the key,
 * steps 2-3, is the caller's).
 * @param publicKey the verify key: a node:crypto key or unpadded base64.
 * @returns true, or ProbeError `matrix.bad-signature` (missing, malformed or
 * not verifying) or `json.not-canonical` (the object has no canonical form).
 */
export function verifyJsonSignature(object: Readonly<Record<string, unknown>>, signingName: string, keyId: string, publicKey: KeyObject | string): true | ProbeError {
  const fail = (why: string) => new ProbeError('matrix.bad-signature', `${keyId} of ${JSON.stringify(signingName.slice(0, 100))}: ${why}`);
  if (!isEd25519KeyId(keyId)) return fail('not an ed25519 key id');
  const signatures = object['signatures'];
  const byKey = isRecord(signatures) ? signatures[signingName] : undefined;
  const text = isRecord(byKey) ? byKey[keyId] : undefined;
  if (typeof text !== 'string') return fail('no such signature');
  const signature = decodeBase64(text, MAX_SIGNATURE_CHARS);
  if (!signature || signature.length !== ED25519_SIGNATURE_BYTES) return fail(`the signature is not ${ED25519_SIGNATURE_BYTES} bytes of base64`);
  const key = typeof publicKey === 'string' ? publicKeyFromBase64(publicKey) : publicKey;
  if (!key) return fail(`the verify key is not ${ED25519_PUBLIC_KEY_BYTES} bytes of base64`);
  const canonical = encodeCanonicalJson(signedPart(object));
  if (canonical instanceof ProbeError) return canonical;
  return verify(null, Buffer.from(canonical, 'utf8'), key, signature) ? true : fail('the signature does not verify');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
