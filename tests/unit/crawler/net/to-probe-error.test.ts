import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeErrorCodeFor, toProbeError } from '../../../../crawler/net/to-probe-error.ts';
import { ProbeError } from '../../../../crawler/errors.ts';

const err = (code: string, message = code) => Object.assign(new Error(message), { code });

const table: Array<[unknown, string]> = [
  [err('ECONNREFUSED'), 'net.connect-refused'],
  [err('ECONNRESET'), 'net.reset'],
  [err('EHOSTUNREACH'), 'net.unreachable'],
  [err('UND_ERR_CONNECT_TIMEOUT'), 'net.connect-timeout'],
  [err('UND_ERR_HEADERS_TIMEOUT'), 'http.timeout'],
  [err('UND_ERR_BODY_TIMEOUT'), 'http.timeout'],
  [err('UND_ERR_RES_EXCEEDED_MAX_SIZE'), 'http.too-large'],
  [err('HPE_INVALID_CONSTANT'), 'http.protocol'],
  [err('CERT_HAS_EXPIRED'), 'tls.expired'],
  [err('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls.name-mismatch'],
  [err('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls.cert-invalid'],
  [err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tls.cert-invalid'],
  [err('ERR_SSL_WRONG_VERSION_NUMBER'), 'tls.handshake'],
  [Object.assign(new Error('wrapped'), { cause: err('ECONNREFUSED') }), 'net.connect-refused'],
  [new AggregateError([err('ECONNREFUSED'), err('ETIMEDOUT')], 'all failed'), 'net.connect-refused'],
  [new Error('no code'), 'internal'],
  ['a string', 'internal'],
];
for (const [input, code] of table) {
  test(`${input instanceof Error ? ((input as { code?: string }).code ?? input.message) : String(input)} -> ${code}`, () => {
    assert.equal(toProbeError(input).code, code);
  });
}

test('a ProbeError anywhere in the cause chain wins, unchanged', () => {
  const inner = new ProbeError('net.forbidden-address', 'no');
  assert.equal(toProbeError(Object.assign(new Error('outer'), { cause: inner })), inner);
  assert.equal(toProbeError(new AggregateError([inner])), inner);
});

test('the fallback code applies to unknown errors', () => {
  assert.equal(toProbeError(new Error('?'), 'net.reset').code, 'net.reset');
});

test('a cause cycle does not loop', () => {
  const a = new Error('a') as Error & { cause?: unknown };
  const b = new Error('b', { cause: a });
  a.cause = b;
  assert.equal(toProbeError(a).code, 'internal');
});

test('probeErrorCodeFor maps a bare code (a TLS verify result such as socket.authorizationError) through the same table', () => {
  assert.equal(probeErrorCodeFor('CERT_HAS_EXPIRED'), 'tls.expired');
  assert.equal(probeErrorCodeFor('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls.cert-invalid');
  assert.equal(probeErrorCodeFor('HPE_INVALID_CONSTANT'), 'http.protocol');
  assert.equal(probeErrorCodeFor('certificate has expired'), undefined, 'a message is not a code');
  assert.equal(probeErrorCodeFor('constructor'), undefined, 'no Object.prototype member');
});
