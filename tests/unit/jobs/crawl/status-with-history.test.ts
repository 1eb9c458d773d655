/**
 * The crawl loop's history rule (jobs/crawl/status-with-history.ts): no sign of the protocol is
 * "not a server" only for a server never seen answering; one that answered is unreachable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withHistory } from '../../../../jobs/crawl/status-with-history.ts';
import type { ProbeResult, ServerStatus } from '../../../../crawler/types.ts';

const result = (status: ServerStatus, protocol: 'xmpp' | 'matrix' = 'xmpp'): ProbeResult => ({
  snapshot: {
    passId: 'p', domain: 'd.test', protocol, observedAt: new Date('2026-02-01T10:00:00Z'), status, software: 'unknown', versionRaw: '', version: '',
    registration: 'unknown', features: [], specVersions: [], tls: null, dnssec: null, dane: null, ipv4: null, ipv6: null,
    publicRooms: 0, publicMembers: 0, users: null, endpoint: '', error: 'connect ECONNREFUSED', failure: 'net.connect-refused',
    report: [{ step: `${protocol}.status`, level: 'info', message: 'No sign.' }],
  },
  observations: [], rooms: [], discoveries: [],
});

test('never seen answering, no sign now: not-a-server stays', () => {
  const r = result('not-a-server');
  assert.equal(withHistory(r, null), r);
});

test('answered before, no sign now: unreachable, with the day it last answered in the report', () => {
  const r = withHistory(result('not-a-server', 'matrix'), new Date('2026-01-20T08:00:00Z'));
  assert.equal(r.snapshot.status, 'unreachable');
  assert.equal(r.snapshot.failure, 'net.connect-refused', 'the code stays: the schedule classes it');
  assert.equal(r.snapshot.error, 'connect ECONNREFUSED');
  assert.deepEqual(r.snapshot.report.at(-1), { step: 'matrix.status', level: 'error', message: 'It answered as a Matrix server on 2026-01-20, and now nothing does: counted as unreachable.' });
  assert.equal(result('not-a-server').snapshot.status, 'not-a-server', 'the input is not changed');
});

test('any other status is the probe\'s own, history or not', () => {
  for (const status of ['ok', 'unreachable', 'error', 'disallowed', 'opted-out'] as const) {
    const r = result(status);
    assert.equal(withHistory(r, new Date('2026-01-20T08:00:00Z')), r, status);
  }
});
