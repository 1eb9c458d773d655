import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matrixStatus } from '../../../../crawler/probe/matrix-status.ts';
import type { Observation, Outcome } from '../../../../crawler/types.ts';

const obs = (step: string, outcome: Outcome, facts: Record<string, unknown> = {}, error = ''): Observation => ({
  passId: 'p', domain: 'd.test', protocol: 'matrix', step, observedAt: new Date(0), outcome, durationMs: 0, facts, raw: '', error,
});

test('status table', () => {
  assert.deepEqual(matrixStatus([], { federation: true, client: false }), { status: 'ok', error: '' });
  assert.equal(matrixStatus([obs('matrix.federation-version', 'policy.robots-disallowed'), obs('matrix.client-versions', 'policy.robots-disallowed')], { federation: false, client: false }).status, 'disallowed');
  assert.equal(matrixStatus([obs('matrix.federation-version', 'http.status', { status: 404 }, 'HTTP 404')], { federation: false, client: false }).status, 'not-a-server');
  const down = matrixStatus([obs('matrix.well-known-server', 'net.connect-refused', {}, 'refused'), obs('tls.federation', 'net.connect-refused', {}, 'ECONNREFUSED')], { federation: false, client: false });
  assert.deepEqual(down, { status: 'unreachable', error: 'tls.federation: ECONNREFUSED', failure: 'net.connect-refused' });
  assert.equal(matrixStatus([obs('matrix.federation-version', 'internal', {}, 'bug')], { federation: false, client: false }).status, 'error');
});

test('the failure code is the one of the step that explains the status (the schedule classes it)', () => {
  const none = { federation: false, client: false };
  assert.equal(matrixStatus([obs('matrix.federation-version', 'http.status', { status: 404 }, 'HTTP 404')], none).failure, 'http.status');
  assert.equal(matrixStatus([obs('matrix.federation-version', 'policy.robots-disallowed'), obs('matrix.client-versions', 'policy.robots-disallowed')], none).failure, 'policy.robots-disallowed');
  assert.equal(matrixStatus([obs('tls.federation', 'dns.timeout', {}, 'no answer'), obs('matrix.federation-version', 'tls.cert-invalid', {}, 'self-signed')], none).failure, 'dns.timeout');
  assert.equal(matrixStatus([], none).failure, undefined, 'no step failed with a code: none is made up');
});
