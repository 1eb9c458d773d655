/**
 * `GET /_matrix/key/v2/server` written and read: Matrix Specification v1.16,
 * Server-Server API "Publishing Keys" and the Server Keys schema,
 * https://spec.matrix.org/v1.16/server-server-api/#get_matrixkeyv2server
 * (matrix-org/matrix-spec `data/api/server-server/definitions/keys.yaml`).
 * The reader is also fed the real Synapse 1.163.2 responses recorded in
 * tests/fixtures/matrix-keys/ (see its SOURCE.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProbeError } from '../../../../crawler/errors.ts';
import {
  buildServerKeysResponse, effectiveValidUntil, MAX_KEY_VALIDITY_MS, parseServerKeysResponse, type VerifiedServerKeys,
} from '../../../../crawler/protocol/matrix-server-keys.ts';
import { generateSigningKey, signJson, signingKeyFromSeed } from '../../../../crawler/protocol/matrix-signing.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const DAY = 24 * 60 * 60 * 1000;
const CURRENT = signingKeyFromSeed('ed25519:a_cur', 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1');
const OLD = generateSigningKey('ed25519:a_old');

/** A recorded fixture: `{ serverName, now, body }`. */
function fixture(name: string): { serverName: string; body: Record<string, unknown> } {
  const url = new URL(`../../../fixtures/matrix-keys/${name}.input.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as { serverName: string; body: Record<string, unknown> };
}

function ok(result: VerifiedServerKeys | ProbeError): VerifiedServerKeys {
  assert.ok(!(result instanceof ProbeError), result instanceof ProbeError ? `${result.code}: ${result.message}` : '');
  return result;
}

function fails(result: VerifiedServerKeys | ProbeError, code: string, pattern: RegExp): void {
  assert.ok(result instanceof ProbeError, 'expected a ProbeError');
  assert.equal(result.code, code, result.message);
  assert.match(result.message, pattern);
}

/** A response for `serverName` with the given body fields, self-signed by `signers`. */
function response(serverName: string, fields: Record<string, unknown>, ...signers: typeof CURRENT[]): string {
  let doc: Record<string, unknown> = { server_name: serverName, valid_until_ts: NOW + DAY, ...fields };
  for (const key of signers) doc = signJson(doc, serverName, key) as Record<string, unknown>;
  return JSON.stringify(doc);
}

test('build: our response has the schema fields, a one-day validity, and verifies with our own reader', () => {
  const body = buildServerKeysResponse({ serverName: 'chatlas.example.org', currentKey: CURRENT, oldKeys: [{ keyId: OLD.keyId, publicKey: OLD.publicKey, expiredTs: NOW - DAY }], now: NOW });
  assert.deepEqual(Object.keys(body).sort(), ['old_verify_keys', 'server_name', 'signatures', 'valid_until_ts', 'verify_keys']);
  assert.deepEqual(body['verify_keys'], { 'ed25519:a_cur': { key: CURRENT.publicKey } });
  assert.deepEqual(body['old_verify_keys'], { 'ed25519:a_old': { key: OLD.publicKey, expired_ts: NOW - DAY } });
  assert.equal(body['valid_until_ts'], NOW + DAY);
  const keys = ok(parseServerKeysResponse(JSON.stringify(body), 'chatlas.example.org'));
  assert.deepEqual(keys, {
    serverName: 'chatlas.example.org',
    validUntilTs: NOW + DAY,
    verifyKeys: { 'ed25519:a_cur': CURRENT.publicKey },
    oldVerifyKeys: { 'ed25519:a_old': { publicKey: OLD.publicKey, expiredTs: NOW - DAY } },
    signedBy: ['ed25519:a_cur'],
  });
});

test('build: validity between 1 hour and 7 days only; malformed old keys are a bug', () => {
  const base = { serverName: 's.example', currentKey: CURRENT, now: NOW };
  assert.equal(buildServerKeysResponse({ ...base, validForMs: MAX_KEY_VALIDITY_MS })['valid_until_ts'], NOW + MAX_KEY_VALIDITY_MS);
  assert.throws(() => buildServerKeysResponse({ ...base, validForMs: MAX_KEY_VALIDITY_MS + 1 }), /validForMs must be between 3600000 \(1 h\) and 604800000 \(7 days\), got 604800001/);
  assert.throws(() => buildServerKeysResponse({ ...base, validForMs: 60_000 }), RangeError);
  assert.throws(() => buildServerKeysResponse({ ...base, now: 1.5 }), /now must be a timestamp/);
  assert.throws(() => buildServerKeysResponse({ ...base, oldKeys: [{ keyId: CURRENT.keyId, publicKey: CURRENT.publicKey, expiredTs: NOW }] }), /is malformed or is the current key/);
  assert.throws(() => buildServerKeysResponse({ ...base, oldKeys: [{ keyId: 'ed25519:x', publicKey: 'short', expiredTs: NOW }] }), TypeError);
});

test('real Synapse 1.163.2 response: verifies, typed keys out', () => {
  const f = fixture('synapse-1.163.2-default');
  const keys = ok(parseServerKeysResponse(JSON.stringify(f.body), f.serverName));
  assert.deepEqual(keys, {
    serverName: 'synapse.test',
    validUntilTs: 1795636069019,
    verifyKeys: { 'ed25519:a_CzCx': 'NAaCslncnOYZ6jNKL7xFrkRhtjQH06gzwJiUxm4ncB8' },
    oldVerifyKeys: {},
    signedBy: ['ed25519:a_CzCx'],
  });
  // Bytes as the HTTP layer hands them over give the same result.
  assert.deepEqual(ok(parseServerKeysResponse(new TextEncoder().encode(JSON.stringify(f.body)), f.serverName)), keys);
});

test('real Synapse response tampered (valid_until_ts + 1): the signature fails', () => {
  const f = fixture('synapse-1.163.2-tampered');
  fails(parseServerKeysResponse(JSON.stringify(f.body), f.serverName), 'matrix.bad-signature', /ed25519:a_CzCx of "synapse\.test": the signature does not verify/);
});

test('real Synapse response asked as another server: wrong server_name', () => {
  const f = fixture('synapse-1.163.2-wrong-name');
  fails(parseServerKeysResponse(JSON.stringify(f.body), f.serverName), 'matrix.bad-response', /names "synapse\.test", not "other\.test"/);
});

test('forged: signed by a key that is not among its verify_keys, or a signature swapped in from another key', () => {
  const attacker = generateSigningKey('ed25519:a_cur');
  // Lists the victim's key but signs with the attacker's own key under the same id.
  fails(parseServerKeysResponse(response('victim.example', { verify_keys: { 'ed25519:a_cur': { key: CURRENT.publicKey } } }, attacker), 'victim.example'),
    'matrix.bad-signature', /the signature does not verify/);
  // Signed only by a key it does not list.
  fails(parseServerKeysResponse(response('victim.example', { verify_keys: { 'ed25519:a_cur': { key: CURRENT.publicKey } } }, generateSigningKey('ed25519:a_other')), 'victim.example'),
    'matrix.bad-signature', /not signed by any of "victim\.example"'s verify_keys/);
  // One good signature does not excuse a bad one by another listed key.
  const second = generateSigningKey('ed25519:a_two');
  const twoKeys = JSON.parse(response('s.example', { verify_keys: { 'ed25519:a_cur': { key: CURRENT.publicKey }, 'ed25519:a_two': { key: second.publicKey } } }, CURRENT, second)) as { signatures: Record<string, Record<string, string>> };
  assert.deepEqual(ok(parseServerKeysResponse(JSON.stringify(twoKeys), 's.example')).signedBy, ['ed25519:a_cur', 'ed25519:a_two']);
  twoKeys.signatures['s.example']!['ed25519:a_two'] = twoKeys.signatures['s.example']!['ed25519:a_cur']!;
  fails(parseServerKeysResponse(JSON.stringify(twoKeys), 's.example'), 'matrix.bad-signature', /ed25519:a_two .* does not verify/);
});

test('not self-signed: no signatures, only a notary\'s, or only by an old key', () => {
  const verifyKeys = { 'ed25519:a_cur': { key: CURRENT.publicKey } };
  fails(parseServerKeysResponse(response('s.example', { verify_keys: verifyKeys }), 's.example'), 'json.schema', /"signatures" is missing/);
  const byNotary = JSON.parse(response('s.example', { verify_keys: verifyKeys })) as Record<string, unknown>;
  fails(parseServerKeysResponse(JSON.stringify(signJson(byNotary, 'notary.example', CURRENT)), 's.example'), 'matrix.bad-signature', /not signed by "s\.example" itself/);
  fails(parseServerKeysResponse(response('s.example', { verify_keys: verifyKeys, old_verify_keys: { [OLD.keyId]: { key: OLD.publicKey, expired_ts: NOW } } }, OLD), 's.example'),
    'matrix.bad-signature', /not signed by any of/);
});

test('oversized and undecodable bodies are refused before parsing', () => {
  const big = response('s.example', { verify_keys: { 'ed25519:a_cur': { key: CURRENT.publicKey } }, pad: 'x'.repeat(70_000) }, CURRENT);
  fails(parseServerKeysResponse(big, 's.example'), 'json.invalid', /exceeds the cap of 65536 bytes/);
  fails(parseServerKeysResponse(Buffer.from(big), 's.example'), 'json.invalid', /exceeds the cap/);
  assert.ok(!(parseServerKeysResponse(big, 's.example', { maxBytes: 100_000 }) instanceof ProbeError));
  // Multi-byte characters count as their UTF-8 bytes.
  fails(parseServerKeysResponse(`"${'é'.repeat(40)}"`, 's.example', { maxBytes: 60 }), 'json.invalid', /exceeds the cap of 60 bytes/);
  fails(parseServerKeysResponse(new Uint8Array([0x7b, 0xff, 0x7d]), 's.example'), 'json.invalid', /not UTF-8/);
  fails(parseServerKeysResponse('{"server_name":', 's.example'), 'json.invalid', /invalid JSON/);
  fails(parseServerKeysResponse('[]', 's.example'), 'json.schema', /expected a JSON object/);
});

test('schema: missing or malformed fields are refused, keys of other algorithms skipped', () => {
  const vk = { 'ed25519:a_cur': { key: CURRENT.publicKey } };
  fails(parseServerKeysResponse(response('s.example', { verify_keys: vk, valid_until_ts: undefined }, CURRENT), 's.example'), 'json.schema', /"valid_until_ts" is missing/);
  fails(parseServerKeysResponse(response('s.example', { verify_keys: vk, valid_until_ts: -1 }, CURRENT), 's.example'), 'json.schema', /valid_until_ts/);
  fails(parseServerKeysResponse(JSON.stringify({ valid_until_ts: NOW }), 's.example'), 'json.schema', /"server_name" is missing/);
  fails(parseServerKeysResponse(response('s.example', {}, CURRENT), 's.example'), 'json.schema', /"verify_keys" is missing/);
  fails(parseServerKeysResponse(response('s.example', { verify_keys: { 'ed25519:a_cur': { key: 'c2hvcnQ' } } }), 's.example'), 'json.schema', /"key" is not 32 bytes of base64/);
  fails(parseServerKeysResponse(response('s.example', { verify_keys: { 'ed25519:a-cur': { key: CURRENT.publicKey } } }), 's.example'), 'json.schema', /version is not/);
  fails(parseServerKeysResponse(response('s.example', { verify_keys: vk, old_verify_keys: { [OLD.keyId]: { key: OLD.publicKey } } }, CURRENT), 's.example'), 'json.schema', /"expired_ts" is missing/);
  fails(parseServerKeysResponse(response('s.example', { verify_keys: vk, old_verify_keys: [] }, CURRENT), 's.example'), 'json.schema', /"old_verify_keys" is missing or not an object/);
  const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`ed25519:k${i}`, { key: CURRENT.publicKey }]));
  fails(parseServerKeysResponse(response('s.example', { verify_keys: many }, CURRENT), 's.example'), 'json.schema', /lists 65 keys, more than 64/);
  // A float anywhere leaves nothing canonical to verify.
  const withFloat = { ...(JSON.parse(response('s.example', { verify_keys: vk }, CURRENT)) as object), extra: 0.5 };
  fails(parseServerKeysResponse(JSON.stringify(withFloat), 's.example'), 'json.not-canonical', /\$\.extra is 0\.5/);
  // Other algorithms are skipped, as Synapse does; the ed25519 self-signature still counts.
  const mixed = ok(parseServerKeysResponse(response('s.example', { verify_keys: { ...vk, 'curve25519:x': { key: 'whatever' } } }, CURRENT), 's.example'));
  assert.deepEqual(Object.keys(mixed.verifyKeys), ['ed25519:a_cur']);
});

test('effectiveValidUntil: the lesser of valid_until_ts and 7 days ahead', () => {
  assert.equal(effectiveValidUntil({ validUntilTs: NOW + DAY }, NOW), NOW + DAY);
  assert.equal(effectiveValidUntil({ validUntilTs: NOW + 30 * DAY }, NOW), NOW + 7 * DAY);
  assert.ok(effectiveValidUntil({ validUntilTs: NOW - 1 }, NOW) < NOW, 'expired lists stay expired');
});
