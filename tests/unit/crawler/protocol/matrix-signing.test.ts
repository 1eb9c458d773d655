/**
 * JSON signing against the spec's test vectors: Matrix Specification v1.16,
 * "Appendices / Cryptographic Test Vectors" (SIGNING_KEY_SEED, SERVER_NAME
 * "domain", KEY_ID "ed25519:1", "JSON Signing"),
 * https://spec.matrix.org/v1.16/appendices/#cryptographic-test-vectors
 * (matrix-org/matrix-spec `content/appendices.md`); and unpadded base64
 * against "Appendices / Unpadded Base64" examples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeError } from '../../../../crawler/errors.ts';
import { decodeBase64, encodeUnpaddedBase64 } from '../../../../crawler/protocol/matrix-base64.ts';
import {
  generateSigningKey, isEd25519KeyId, jsonSignature, newKeyId, publicKeyFromBase64, signingKeyFromSeed, signJson, verifyJsonSignature,
} from '../../../../crawler/protocol/matrix-signing.ts';

const SIGNING_KEY_SEED = 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1';
const SPEC_KEY = signingKeyFromSeed('ed25519:1', SIGNING_KEY_SEED);

test('spec vector: {} signs to the documented signature', () => {
  assert.deepEqual(signJson({}, 'domain', SPEC_KEY), {
    signatures: { domain: { 'ed25519:1': 'K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ' } },
  });
});

test('spec vector: {"one":1,"two":"Two"} signs to the documented signature', () => {
  assert.deepEqual(signJson({ one: 1, two: 'Two' }, 'domain', SPEC_KEY), {
    one: 1,
    signatures: { domain: { 'ed25519:1': 'KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw' } },
    two: 'Two',
  });
});

test('signatures and unsigned are not covered; existing signatures are kept; the input is not changed', () => {
  const input = { one: 1, two: 'Two', unsigned: { age_ts: 922834800000 }, signatures: { other: { 'ed25519:x': 'abc' } } };
  const signed = signJson(input, 'domain', SPEC_KEY);
  assert.ok(!(signed instanceof ProbeError));
  assert.equal(signed.signatures['domain']!['ed25519:1'], 'KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw');
  assert.deepEqual(signed.signatures['other'], { 'ed25519:x': 'abc' });
  assert.deepEqual(signed.unsigned, { age_ts: 922834800000 });
  assert.deepEqual(input.signatures, { other: { 'ed25519:x': 'abc' } }, 'input untouched');
  assert.equal(verifyJsonSignature(signed, 'domain', 'ed25519:1', SPEC_KEY.publicKey), true);
});

test('verify: forged, tampered, wrong key, missing and malformed signatures fail with matrix.bad-signature', () => {
  const signed = signJson({ one: 1, two: 'Two' }, 'domain', SPEC_KEY) as Record<string, unknown>;
  const other = generateSigningKey('ed25519:1');
  const code = (r: true | ProbeError) => (r === true ? 'ok' : r.code);
  assert.equal(code(verifyJsonSignature(signed, 'domain', 'ed25519:1', SPEC_KEY.publicKey)), 'ok');
  assert.equal(code(verifyJsonSignature({ ...signed, two: 'Three' }, 'domain', 'ed25519:1', SPEC_KEY.publicKey)), 'matrix.bad-signature');
  assert.equal(code(verifyJsonSignature(signed, 'domain', 'ed25519:1', other.publicKey)), 'matrix.bad-signature');
  assert.equal(code(verifyJsonSignature(signed, 'elsewhere', 'ed25519:1', SPEC_KEY.publicKey)), 'matrix.bad-signature');
  assert.equal(code(verifyJsonSignature(signed, 'domain', 'ed25519:2', SPEC_KEY.publicKey)), 'matrix.bad-signature');
  assert.equal(code(verifyJsonSignature(signed, 'domain', 'curve25519:1', SPEC_KEY.publicKey)), 'matrix.bad-signature');
  assert.equal(code(verifyJsonSignature({ ...signed, signatures: { domain: { 'ed25519:1': 'not base64!' } } }, 'domain', 'ed25519:1', SPEC_KEY.publicKey)), 'matrix.bad-signature');
  assert.equal(code(verifyJsonSignature({ ...signed, signatures: { domain: { 'ed25519:1': 'AAAA' } } }, 'domain', 'ed25519:1', SPEC_KEY.publicKey)), 'matrix.bad-signature');
  assert.equal(code(verifyJsonSignature(signed, 'domain', 'ed25519:1', 'c2hvcnQ')), 'matrix.bad-signature');
  assert.equal(code(verifyJsonSignature({ ...signed, signatures: 'x' }, 'domain', 'ed25519:1', SPEC_KEY.publicKey)), 'matrix.bad-signature');
  // A float in the signed part: no canonical form, so nothing to check the signature against.
  assert.equal(code(verifyJsonSignature({ ...signed, f: 0.5 }, 'domain', 'ed25519:1', SPEC_KEY.publicKey)), 'json.not-canonical');
});

test('verify accepts the URL-safe and padded forms of a signature and key, as Synapse does', () => {
  const signed = signJson({ one: 1, two: 'Two' }, 'domain', SPEC_KEY) as Record<string, unknown> & { signatures: Record<string, Record<string, string>> };
  const sig = signed.signatures['domain']!['ed25519:1']!;
  const urlSafe = { ...signed, signatures: { domain: { 'ed25519:1': sig.replace(/\+/g, '-').replace(/\//g, '_') } } };
  assert.equal(verifyJsonSignature(urlSafe, 'domain', 'ed25519:1', SPEC_KEY.publicKey), true);
  const padded = { ...signed, signatures: { domain: { 'ed25519:1': `${sig}==` } } };
  assert.equal(verifyJsonSignature(padded, 'domain', 'ed25519:1', `${SPEC_KEY.publicKey}=`), true);
  assert.equal(verifyJsonSignature(signed, 'domain', 'ed25519:1', publicKeyFromBase64(SPEC_KEY.publicKey)!), true);
});

test('a float in the object to sign is refused, not signed in some other form', () => {
  const r = signJson({ n: 1.5 }, 'domain', SPEC_KEY);
  assert.ok(r instanceof ProbeError && r.code === 'json.not-canonical');
  const s = jsonSignature({ n: 2 ** 60 }, SPEC_KEY);
  assert.ok(s instanceof ProbeError && s.code === 'json.not-canonical');
});

test('keys: from seed bytes or base64 alike; generated keys round-trip; bad input throws without quoting the seed', () => {
  const fromBytes = signingKeyFromSeed('ed25519:1', SPEC_KEY.seed);
  assert.equal(fromBytes.publicKey, SPEC_KEY.publicKey);
  assert.equal(SPEC_KEY.seed.length, 32);
  const k = generateSigningKey();
  assert.ok(isEd25519KeyId(k.keyId));
  assert.equal(signingKeyFromSeed(k.keyId, encodeUnpaddedBase64(k.seed)).publicKey, k.publicKey);
  assert.equal(decodeBase64(k.publicKey, 64)!.length, 32);
  assert.throws(() => signingKeyFromSeed('ed25519:bad-id', SPEC_KEY.seed), /signing key id "ed25519:bad-id" is not/);
  assert.throws(() => signingKeyFromSeed('rsa:1', SPEC_KEY.seed), TypeError);
  assert.throws(() => signingKeyFromSeed('ed25519:1', 'c2hvcnQ'), (e: Error) => e instanceof TypeError && !e.message.includes('c2hvcnQ'));
});

test('newKeyId: ed25519:a_ and 8 letters or digits, a valid spec key id, different each time', () => {
  const ids = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const id = newKeyId();
    assert.match(id, /^ed25519:a_[A-Za-z0-9]{8}$/);
    assert.ok(isEd25519KeyId(id));
    ids.add(id);
  }
  assert.equal(ids.size, 200);
  assert.equal(isEd25519KeyId('ed25519:'), false);
  assert.equal(isEd25519KeyId('ed25519:a-b'), false);
  assert.equal(isEd25519KeyId(42), false);
});

test('unpadded base64: the spec appendix examples, and lenient reading', () => {
  const examples: [string, string][] = [['', ''], ['f', 'Zg'], ['fo', 'Zm8'], ['foo', 'Zm9v'], ['foob', 'Zm9vYg'], ['fooba', 'Zm9vYmE'], ['foobar', 'Zm9vYmFy']];
  for (const [plain, encoded] of examples) {
    assert.equal(encodeUnpaddedBase64(Buffer.from(plain)), encoded);
    assert.equal(decodeBase64(encoded, 100)?.toString(), plain);
  }
  assert.equal(decodeBase64('Zm8=', 100)?.toString(), 'fo');
  assert.equal(decodeBase64('-_-_', 100)?.toString('hex'), Buffer.from('+/+/', 'base64').toString('hex'));
  // The spec's seed has non-zero trailing bits and must still decode to 32 bytes.
  assert.equal(decodeBase64(SIGNING_KEY_SEED, 100)?.length, 32);
  // Encoding a view of a larger buffer encodes only the view.
  assert.equal(encodeUnpaddedBase64(Buffer.from('xxfoo').subarray(2)), 'Zm9v');
  for (const bad of ['Zm9v!', 'Zm 9v', 'Z', 'Zm9vY', 'Zg=', 'Zm8==', 'Zg=A', 'Z===']) assert.equal(decodeBase64(bad, 100), null, bad);
  assert.equal(decodeBase64('Zm9vYmFy', 7), null, 'over the length cap');
});
