import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matrixSign, matrixStatus } from '../../../../crawler/probe/matrix-status.ts';
import type { Observation, Outcome } from '../../../../crawler/types.ts';

const obs = (step: string, outcome: Outcome, facts: Record<string, unknown> = {}, error = ''): Observation => ({
  passId: 'p', domain: 'd.test', protocol: 'matrix', step, observedAt: new Date(0), outcome, durationMs: 0, facts, raw: '', error,
});

const none = { federation: false, client: false };
const srvRecord = obs('dns.srv-matrix-fed', 'ok', { name: '_matrix-fed._tcp.d.test', targets: ['fed.d.test:8448'] });
const noSrv = [obs('dns.srv-matrix-fed', 'absent'), obs('dns.srv-matrix', 'absent')];
const refused = obs('tls.federation', 'net.connect-refused', { target: 'd.test:8448' }, 'ECONNREFUSED');

test('status table', () => {
  assert.deepEqual(matrixStatus([], { federation: true, client: false }), { status: 'ok', error: '' });
  assert.equal(matrixStatus([obs('matrix.federation-version', 'policy.robots-disallowed'), obs('matrix.client-versions', 'policy.robots-disallowed')], { federation: false, client: false }).status, 'disallowed');
  assert.equal(matrixStatus([obs('matrix.federation-version', 'http.status', { status: 404 }, 'HTTP 404')], { federation: false, client: false }).status, 'not-a-server');
  const down = matrixStatus([srvRecord, obs('matrix.well-known-server', 'net.connect-refused', {}, 'refused'), obs('tls.federation', 'net.connect-refused', {}, 'ECONNREFUSED')], { federation: false, client: false });
  assert.deepEqual(down, { status: 'unreachable', error: 'tls.federation: ECONNREFUSED', failure: 'net.connect-refused' });
  assert.equal(matrixStatus([srvRecord, obs('matrix.federation-version', 'internal', {}, 'bug')], { federation: false, client: false }).status, 'error');
});

test('no sign of Matrix (no SRV, no valid well-known, nothing on the federation port) is not-a-server, web server or not', () => {
  const quiet = matrixStatus([obs('matrix.well-known-server', 'absent', { status: 404 }), ...noSrv, refused], none);
  assert.deepEqual(quiet, { status: 'not-a-server', error: 'tls.federation: ECONNREFUSED', failure: 'net.connect-refused' });
  const web = [obs('matrix.well-known-server', 'absent', { status: 404 }), ...noSrv, refused, obs('matrix.client-versions', 'http.status', { status: 404 }, 'HTTP 404')];
  assert.equal(matrixStatus(web, none).status, 'not-a-server');
  const noHost = [obs('matrix.well-known-server', 'dns.nxdomain', {}, 'no such name'), ...noSrv, obs('tls.federation', 'dns.nxdomain', {}, 'no such name')];
  assert.equal(matrixStatus(noHost, none).status, 'not-a-server', 'NXDOMAIN is an answer: nothing is there');
  // A broken-JSON well-known is no sign (many web servers answer 200 to any path).
  assert.equal(matrixStatus([obs('matrix.well-known-server', 'json.invalid', { status: 200 }, 'bad'), ...noSrv, refused], none).status, 'not-a-server');
});

test('with SRV records, a valid well-known, or a TLS server on the federation target, silence is unreachable and a wrong answer an error', () => {
  assert.equal(matrixStatus([srvRecord, refused], none).status, 'unreachable', 'SRV but refused');
  const delegated = obs('matrix.well-known-server', 'ok', { status: 200, delegated: 'matrix.d.test:443' });
  assert.equal(matrixStatus([delegated, obs('tls.federation', 'net.connect-timeout', {}, 'timed out')], none).status, 'unreachable');
  assert.equal(matrixStatus([obs('matrix.well-known-client', 'ok'), ...noSrv, refused], none).status, 'unreachable');
  const tlsThere = [...noSrv, obs('tls.federation', 'ok', { target: 'd.test:8448' }), obs('matrix.federation-version', 'http.status', { status: 500 }, 'HTTP 500')];
  assert.equal(matrixStatus(tlsThere, none).status, 'error', 'something speaks TLS on 8448 and answers 500: a broken server');
  assert.equal(matrixStatus([...noSrv, obs('tls.federation', 'tls.expired', {}, 'expired')], none).status, 'unreachable');
  assert.equal(matrixStatus([...noSrv, refused], { ...none, named: true }).status, 'unreachable', 'a server name with a port is Matrix only');
});

test('an unanswered DNS question leaves the sign open: the status is decided as before signs were weighed', () => {
  const open = [obs('dns.srv-matrix-fed', 'dns.servfail', {}, 'SERVFAIL'), refused];
  assert.equal(matrixSign(open), 'unknown');
  assert.equal(matrixStatus(open, none).status, 'unreachable');
  assert.equal(matrixStatus([...open, obs('matrix.client-versions', 'http.status', { status: 404 }, 'HTTP 404')], none).status, 'not-a-server');
});

test('the failure code is the one of the step that explains the status (the schedule classes it)', () => {
  assert.equal(matrixStatus([obs('matrix.federation-version', 'http.status', { status: 404 }, 'HTTP 404')], none).failure, 'http.status');
  assert.equal(matrixStatus([obs('matrix.federation-version', 'policy.robots-disallowed'), obs('matrix.client-versions', 'policy.robots-disallowed')], none).failure, 'policy.robots-disallowed');
  assert.equal(matrixStatus([obs('tls.federation', 'dns.timeout', {}, 'no answer'), obs('matrix.federation-version', 'tls.cert-invalid', {}, 'self-signed')], none).failure, 'dns.timeout');
  assert.equal(matrixStatus([], none).failure, undefined, 'no step failed with a code: none is made up');
});
