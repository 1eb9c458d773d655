/**
 * X-Matrix request authentication: Matrix Specification v1.16, Server-Server
 * API "Request Authentication", https://spec.matrix.org/v1.16/server-server-api/#request-authentication
 * (matrix-org/matrix-spec `content/server-server-api.md`), reader compared
 * with element-hq/synapse `synapse/federation/transport/server/_base.py`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { ProbeError } from '../../../../crawler/errors.ts';
import { decodeBase64 } from '../../../../crawler/protocol/matrix-base64.ts';
import {
  formatXMatrixHeader, parseXMatrixHeader, requestSigningJson, signFederationRequest, verifyFederationRequest, type FederationRequest, type XMatrixAuthorization,
} from '../../../../crawler/protocol/matrix-request-auth.ts';
import { generateSigningKey, publicKeyFromBase64, signingKeyFromSeed } from '../../../../crawler/protocol/matrix-signing.ts';

// The spec's test seed (Appendices / Cryptographic Test Vectors): signatures below are deterministic.
const KEY = signingKeyFromSeed('ed25519:1', 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1');
const GET: FederationRequest = {
  method: 'GET', uri: '/_matrix/federation/v1/publicRooms?limit=10&since=abc%3D', origin: 'chatlas.example.org', destination: 'matrix.example.com',
};
const POST: FederationRequest = {
  method: 'POST', uri: '/_matrix/federation/v1/publicRooms', origin: 'chatlas.example.org', destination: 'matrix.example.com',
  content: { limit: 50, filter: { generic_search_term: 'rust' } },
};

function parsed(header: string): XMatrixAuthorization {
  const r = parseXMatrixHeader(header);
  assert.ok(!(r instanceof ProbeError), r instanceof ProbeError ? r.message : '');
  return r;
}

function refused(header: string, pattern: RegExp, maxLength?: number): void {
  const r = parseXMatrixHeader(header, maxLength === undefined ? {} : { maxLength });
  assert.ok(r instanceof ProbeError, `accepted ${JSON.stringify(String(header).slice(0, 120))}`);
  assert.equal(r.code, 'matrix.bad-auth-header');
  assert.match(r.message, pattern);
}

test('the signed JSON is {method, uri, origin, destination, content?}', () => {
  assert.deepEqual(requestSigningJson(GET), { method: 'GET', uri: GET.uri, origin: GET.origin, destination: GET.destination });
  assert.deepEqual(requestSigningJson(POST)['content'], POST.content);
  assert.ok(!('content' in requestSigningJson({ ...GET, content: undefined })));
});

test('the header has the spec v1.11+ form and signs exactly the canonical request JSON', () => {
  const header = signFederationRequest(POST, KEY);
  assert.equal(typeof header, 'string');
  assert.match(header as string, /^X-Matrix origin="chatlas\.example\.org",destination="matrix\.example\.com",key="ed25519:1",sig="[A-Za-z0-9+/]{86}"$/);
  // Independent of our encoder: the canonical bytes written by hand, checked with node:crypto directly.
  const canonical = '{"content":{"filter":{"generic_search_term":"rust"},"limit":50},"destination":"matrix.example.com","method":"POST","origin":"chatlas.example.org","uri":"/_matrix/federation/v1/publicRooms"}';
  const sig = decodeBase64(/sig="([^"]+)"/.exec(header as string)![1]!, 100)!;
  assert.ok(verify(null, Buffer.from(canonical, 'utf8'), publicKeyFromBase64(KEY.publicKey)!, sig));
});

test('round trip: sign, parse, verify as the destination', () => {
  for (const request of [GET, POST]) {
    const auth = parsed(signFederationRequest(request, KEY) as string);
    assert.deepEqual({ origin: auth.origin, destination: auth.destination, keyId: auth.keyId }, { origin: request.origin, destination: request.destination, keyId: 'ed25519:1' });
    assert.equal(verifyFederationRequest(request, auth, 'matrix.example.com', KEY.publicKey), true);
  }
});

test('verify refuses a tampered method, uri or body, another key, and a request meant for someone else', () => {
  const auth = parsed(signFederationRequest(POST, KEY) as string);
  const code = (r: true | ProbeError) => (r === true ? 'ok' : r.code);
  assert.equal(code(verifyFederationRequest({ ...POST, method: 'PUT' }, auth, 'matrix.example.com', KEY.publicKey)), 'matrix.bad-signature');
  assert.equal(code(verifyFederationRequest({ ...POST, uri: `${POST.uri}?x=1` }, auth, 'matrix.example.com', KEY.publicKey)), 'matrix.bad-signature');
  assert.equal(code(verifyFederationRequest({ ...POST, content: { limit: 51, filter: { generic_search_term: 'rust' } } }, auth, 'matrix.example.com', KEY.publicKey)), 'matrix.bad-signature');
  assert.equal(code(verifyFederationRequest({ ...POST, content: undefined }, auth, 'matrix.example.com', KEY.publicKey)), 'matrix.bad-signature');
  assert.equal(code(verifyFederationRequest(POST, auth, 'matrix.example.com', generateSigningKey().publicKey)), 'matrix.bad-signature');
  // The header names another destination: refused before any cryptography (spec: 401).
  const wrong = verifyFederationRequest(POST, auth, 'other.example.net', KEY.publicKey);
  assert.ok(wrong instanceof ProbeError && /is for "matrix\.example\.com", not "other\.example\.net"/.test(wrong.message));
  // The header leaves destination out (pre-v1.3 sender): the signed JSON still carries ours, so a
  // signature made for another server fails, and one made for us passes.
  const noDestination = { ...auth, destination: null };
  assert.equal(code(verifyFederationRequest(POST, noDestination, 'other.example.net', KEY.publicKey)), 'matrix.bad-signature');
  assert.equal(code(verifyFederationRequest(POST, noDestination, 'matrix.example.com', KEY.publicKey)), 'ok');
  // A body with a float cannot be canonical: neither signed nor verified.
  const float = signFederationRequest({ ...POST, content: { limit: 1.5 } }, KEY);
  assert.ok(float instanceof ProbeError && float.code === 'json.not-canonical');
});

test('parse: what the spec allows (token or quoted values, colons unquoted, any case, spaces and tabs around commas, escapes)', () => {
  const sig = 'K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ';
  const expected = { origin: 'origin.hs.example.com', destination: 'destination.hs.example.com', keyId: 'ed25519:key1', signature: sig };
  // The spec's own example header (with a real-shaped sig).
  assert.deepEqual(parsed(`X-Matrix origin="origin.hs.example.com",destination="destination.hs.example.com",key="ed25519:key1",sig="${sig}"`), expected);
  assert.deepEqual(parsed(`x-matrix   ORIGIN=origin.hs.example.com , \tDestination = "destination.hs.example.com",Key=ed25519:key1,\tsig="${sig}"`), expected);
  // Unquoted values may hold colons (ports), for older servers.
  assert.deepEqual(parsed(`X-Matrix origin=hs.example.com:8448,key=ed25519:a_B,sig="${sig}"`), { origin: 'hs.example.com:8448', destination: null, keyId: 'ed25519:a_B', signature: sig });
  // Backslash pairs in quoted values are unescaped; unknown parameters are ignored.
  assert.equal(parsed(`X-Matrix origin="hs\\.example\\.com",key="ed25519:1",sig="${sig}",future="a, b=c"`).origin, 'hs.example.com');
  // Case is kept in values: server names are case-sensitive.
  assert.equal(parsed(`X-Matrix origin="HS.Example.com",key="ed25519:1",sig="${sig}"`).origin, 'HS.Example.com');
  assert.equal(parsed(`X-Matrix origin="[2001:db8::1]:8448",key="ed25519:1",sig="${sig}"`).origin, '[2001:db8::1]:8448');
});

test('parse refuses hostile and malformed headers', () => {
  const ok = 'origin="a.example",destination="b.example",key="ed25519:1",sig="AAAA"';
  refused('', /the scheme is not "X-Matrix"/);
  refused(`Bearer ${ok}`, /the scheme is not "X-Matrix"/);
  refused(`X-Matrix${ok}`, /the scheme is not "X-Matrix"/);
  refused(`X-Matrix\t${ok}`, /the scheme is not "X-Matrix"/);
  refused('X-Matrix ', /expected a parameter name at character 9/);
  // Duplicates, in any case: a reader taking the first and one taking the last would disagree.
  refused(`X-Matrix ${ok},origin="evil.example"`, /parameter "origin" appears twice/);
  refused(`X-Matrix ${ok},SIG="BBBB"`, /parameter "sig" appears twice/);
  refused('X-Matrix destination="b.example",key="ed25519:1",sig="AAAA"', /no origin/);
  refused('X-Matrix origin="a.example",sig="AAAA"', /no key/);
  refused('X-Matrix origin="a.example",key="ed25519:1",signature="AAAA"', /no sig/);
  refused(`X-Matrix ${ok},`, /ends with a comma/);
  refused(`X-Matrix ${ok}, ,future=1`, /expected a parameter name/);
  refused('X-Matrix origin="a.example,key="ed25519:1",sig="AAAA"', /unexpected "e"|not a server name/);
  refused('X-Matrix origin="a.example', /unterminated quoted value of origin/);
  refused('X-Matrix origin="a.example\\', /unterminated quoted value of origin/);
  refused('X-Matrix origin=,key="ed25519:1",sig="AAAA"', /empty or malformed value of origin/);
  refused('X-Matrix origin a.example', /expected "=" after "origin"/);
  refused(`X-Matrix ${ok} junk`, /unexpected "j"/);
  // Header injection and non-ASCII.
  refused(`X-Matrix ${ok}\r\nX-Evil: 1`, /control or non-ASCII/);
  refused(`X-Matrix ${ok}\u0000`, /control or non-ASCII/);
  refused('X-Matrix origin="ex\u00e4mple.org",key="ed25519:1",sig="AAAA"', /control or non-ASCII/);
  // Bounded length and parameter count.
  refused(`X-Matrix ${ok},pad="${'x'.repeat(3000)}"`, /more than the cap of 2048/);
  refused(`X-Matrix ${ok}`, /more than the cap of 40/, 40);
  refused(`X-Matrix ${ok}${Array.from({ length: 13 }, (_, i) => `,p${i}=1`).join('')}`, /more than 16 parameters/);
  // Values that parse but are not what they claim.
  refused('X-Matrix origin="a.example/path",key="ed25519:1",sig="AAAA"', /origin "a\.example\/path" is not a server name/);
  refused('X-Matrix origin="",key="ed25519:1",sig="AAAA"', /origin "" is not a server name/);
  refused('X-Matrix origin="a.example",destination="b example",key="ed25519:1",sig="AAAA"', /destination "b example" is not a server name/);
  refused('X-Matrix origin="a.example",key="ed25519",sig="AAAA"', /key "ed25519" is not alg:version/);
  refused('X-Matrix origin="a.example",key="ed25519:a-b",sig="AAAA"', /is not alg:version/);
  refused('X-Matrix origin="a.example",key="ed25519:1",sig="AA AA"', /sig is not base64/);
  refused(`X-Matrix origin="a.example",key="ed25519:1",sig="${'A'.repeat(200)}"`, /sig is not base64/);
  // An unquoted value may not hold what a token cannot ("/" or "="): such values must be quoted.
  refused('X-Matrix origin=a.example,key=ed25519:1,sig=AB/C', /unexpected "\/"/);
  refused(null as unknown as string, /not a string/);
});

test('formatXMatrixHeader refuses values that would need escaping', () => {
  const base = { origin: 'a.example', destination: 'b.example', keyId: 'ed25519:1', signature: 'AAAA' };
  assert.equal(formatXMatrixHeader(base), 'X-Matrix origin="a.example",destination="b.example",key="ed25519:1",sig="AAAA"');
  assert.throws(() => formatXMatrixHeader({ ...base, origin: 'a"b' }), /X-Matrix origin "a\\"b" must be visible ASCII/);
  assert.throws(() => formatXMatrixHeader({ ...base, destination: 'b\\c' }), TypeError);
  assert.throws(() => formatXMatrixHeader({ ...base, destination: 'b c' }), TypeError);
  assert.throws(() => formatXMatrixHeader({ ...base, origin: '' }), TypeError);
  assert.throws(() => formatXMatrixHeader({ ...base, origin: 'a\r\nb' }), TypeError);
});
