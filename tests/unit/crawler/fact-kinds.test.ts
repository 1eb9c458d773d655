import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CARRIED_FIELDS, FACT_KINDS, isFactKind, kindOfStep, parseMeasured, withPrerequisites } from '../../../crawler/fact-kinds.ts';

test('steps map to their kind; unknown steps are liveness', () => {
  const table: [string, string][] = [
    ['matrix.federation-version', 'liveness'], ['tls.federation', 'liveness'], ['matrix.well-known-server', 'liveness'],
    ['matrix.login-flows', 'setup'], ['matrix.server-keys', 'setup'], ['net.ipv6', 'setup'], ['xmpp.provider-file', 'setup'],
    ['matrix.public-rooms', 'rooms'], ['matrix.space-hierarchy', 'rooms'], ['xmpp.room-info', 'rooms'], ['xmpp.muc-rooms', 'rooms'],
    ['matrix.federation-public-rooms', 'rooms'], ['matrix.federation-space-hierarchy', 'rooms'], ['matrix.alias-servers', 'rooms'],
    ['xmpp.observer-gate', 'liveness'], ['xmpp.requests', 'liveness'],
    ['matrix.register-probe', 'register'], ['xmpp.register-form', 'register'],
    ['xmpp.c2s-features', 'liveness'], ['dns.srv.xmpp-server', 'liveness'], ['something.new', 'liveness'],
  ];
  for (const [step, kind] of table) assert.equal(kindOfStep(step), kind, step);
});

test('stored kinds: an empty list is a snapshot from before kinds (it measured everything); unknown strings are dropped', () => {
  assert.deepEqual(parseMeasured([]), [...FACT_KINDS]);
  assert.deepEqual(parseMeasured(['rooms', 'liveness', 'bogus']), ['liveness', 'rooms']);
  assert.equal(isFactKind('setup'), true);
  assert.equal(isFactKind('Setup'), false);
});

test('rooms and the registration request bring setup with them; liveness is always run', () => {
  assert.deepEqual(withPrerequisites([]), ['liveness']);
  assert.deepEqual(withPrerequisites(['rooms']), ['liveness', 'setup', 'rooms']);
  assert.deepEqual(withPrerequisites(['register']), ['liveness', 'setup', 'register']);
  assert.deepEqual(withPrerequisites(['setup']), ['liveness', 'setup']);
});

test('no snapshot field is carried by two kinds of one protocol', () => {
  for (const [protocol, kinds] of Object.entries(CARRIED_FIELDS)) {
    const all = Object.values(kinds).flat();
    assert.equal(new Set(all).size, all.length, protocol);
  }
});
