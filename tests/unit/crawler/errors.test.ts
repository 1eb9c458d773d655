/**
 * ProbeError is recognised by its brand, so an error made by another copy of
 * crawler/errors.ts (the Astro bundle's, in `chatlas serve`) keeps its code
 * (issue 13 item 2). The second copy here is the same file under another URL,
 * which Node's ESM loader evaluates as a separate module with its own class.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isProbeError, ProbeError } from '../../../crawler/errors.ts';

type ErrorsModule = typeof import('../../../crawler/errors.ts');
const copy = await import(new URL('../../../crawler/errors.ts?copy', import.meta.url).href) as ErrorsModule;

test('the ?copy import is a second module: its class is not this one', () => {
  assert.notEqual(copy.ProbeError, ProbeError);
  assert.equal(Object.getPrototypeOf(new copy.ProbeError('internal', 'x')) === ProbeError.prototype, false);
});

test('issue 13 item 2: a ProbeError from another copy is a ProbeError here, both ways', () => {
  const foreign = new copy.ProbeError('net.connect-refused', 'connect ECONNREFUSED 127.61.0.9:443');
  assert.ok(foreign instanceof ProbeError);
  assert.ok(isProbeError(foreign));
  assert.ok(new ProbeError('dns.timeout', 't') instanceof copy.ProbeError);
  assert.ok(copy.isProbeError(new ProbeError('dns.timeout', 't')));
});

test('ProbeError.from passes a ProbeError of another copy through with its code, retryable and cause', () => {
  const cause = new Error('ECONNREFUSED');
  const foreign = new copy.ProbeError('net.connect-timeout', 'no answer', { cause });
  const e = ProbeError.from(foreign);
  assert.equal(e, foreign);
  assert.equal(e.code, 'net.connect-timeout');
  assert.equal(e.retryable, true);
  assert.equal(e.cause, cause);
});

test('anything else is wrapped with the fallback code, the original kept as cause', () => {
  const plain = Object.assign(new Error('boom\nstack-ish second line'), { code: 'net.connect-refused' });
  const e = ProbeError.from(plain, 'http.protocol');
  assert.equal(e.code, 'http.protocol');
  assert.equal(e.message, 'boom');
  assert.equal(e.cause, plain);
  assert.equal(isProbeError(plain), false, 'a code alone does not make a ProbeError');
  for (const v of [null, undefined, 'net.reset', 42, { code: 'net.reset', retryable: true }]) {
    assert.equal(isProbeError(v), false, String(v));
    assert.equal(v instanceof ProbeError, false, String(v));
  }
  assert.equal(ProbeError.from('text').code, 'internal');
});

test('a branded error whose code this copy does not know is not passed off as a ProbeErrorCode', () => {
  // What a newer copy with an added code would throw at an older one.
  const newer = new copy.ProbeError('internal', 'from a newer copy');
  Object.defineProperty(newer, 'code', { value: 'net.code-from-the-future' });
  assert.equal(isProbeError(newer), false);
  const e = ProbeError.from(newer, 'internal');
  assert.notEqual(e, newer);
  assert.equal(e.code, 'internal');
  assert.equal(e.cause, newer);
});

test('the brand is not an own property: logs and JSON show only the error fields', () => {
  const e = new ProbeError('tls.cert-invalid', 'self-signed');
  assert.deepEqual(Object.getOwnPropertySymbols(e), []);
  assert.deepEqual(JSON.parse(JSON.stringify(e)), { name: 'ProbeError', code: 'tls.cert-invalid', retryable: false });
});
