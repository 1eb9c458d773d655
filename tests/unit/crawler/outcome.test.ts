import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPECTED_OUTCOMES, isFailureOutcome, isOutcome, parseOutcome } from '../../../crawler/types.ts';
import { PROBE_ERROR_CODES } from '../../../crawler/errors.ts';

test('the union: ok, the expected results and every ProbeError code, nothing else', () => {
  assert.ok(isOutcome('ok'));
  for (const o of EXPECTED_OUTCOMES) assert.ok(isOutcome(o), o);
  for (const c of PROBE_ERROR_CODES) assert.ok(isOutcome(c), c);
  for (const v of ['', 'prosody', 'http-503', 'warning', 'OK']) assert.ok(!isOutcome(v), v);
});

test('only ProbeError codes are failures', () => {
  assert.equal(isFailureOutcome('ok'), false);
  for (const o of EXPECTED_OUTCOMES) assert.equal(isFailureOutcome(o), false, o);
  for (const c of PROBE_ERROR_CODES) assert.equal(isFailureOutcome(c), true, c);
});

test('values written before the union map to what the crawler writes now, never to a failure', () => {
  const table: Array<[step: string, stored: string, expected: string]> = [
    // The software name was the outcome of xmpp.identify (crawler at 06f9bea).
    ['xmpp.identify', 'prosody', 'ok'],
    ['xmpp.identify', 'unknown', 'ok'],
    // The server status was the outcome of matrix.summary.
    ['matrix.summary', 'unreachable', 'ok'],
    ['matrix.summary', 'error', 'ok'],
    ['matrix.summary', 'opted-out', 'opted-out'],
    // http-<status>: the XMPP host-meta lookups and the Matrix requests that were not amended.
    ['matrix.space-hierarchy', 'http-404', 'absent'],
    ['xmpp.host-meta', 'http-503', 'http.status'],
    ['xmpp.provider-file', 'http-429', 'http.status'],
    // A stanza error condition was the outcome of the register get.
    ['xmpp.register-form', 'service-unavailable', 'refused'],
    ['xmpp.register-form', 'not-allowed', 'refused'],
    // Values of the union pass through.
    ['dns.aaaa', 'nodata', 'nodata'],
    ['xmpp.register-form', 'stream-closed', 'stream-closed'],
    ['matrix.federation-version', 'net.connect-refused', 'net.connect-refused'],
  ];
  for (const [step, stored, expected] of table) assert.equal(parseOutcome(step, stored), expected, `${step} ${stored}`);
});

test('an unknown stored value is a failure nobody named: internal', () => {
  assert.equal(parseOutcome('xmpp.c2s-connect', 'prosody'), 'internal');
  assert.equal(parseOutcome('xmpp.register-form', '<b>'), 'internal');
  assert.equal(parseOutcome('matrix.public-rooms', 'http-99'), 'internal');
});
