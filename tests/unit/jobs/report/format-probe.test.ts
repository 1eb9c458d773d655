import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProbe, safeText } from '../../../../jobs/report/format-probe.ts';
import type { ProbeResult } from '../../../../crawler/types.ts';
import { probeHealthReport } from '../../../../crawler/health/probe-health-report.ts';
import { loadProbeFixture, probeFixtureNames } from '../../../harness/probe-fixtures.ts';

function result(overrides: Partial<ProbeResult['snapshot']> = {}): ProbeResult {
  const observedAt = new Date('2026-11-24T10:00:00Z');
  return {
    snapshot: {
      passId: 'p', domain: 'example.test', protocol: 'matrix', observedAt, status: 'ok', software: 'synapse', versionRaw: '1.163.2', version: '1.163.2',
      registration: 'token', features: ['m.login.password', 'm.login.sso'], specVersions: ['v1.11', 'v1.12'],
      tls: { protocol: 'TLSv1.3', cipher: 'x', issuer: 'Test CA', subject: 'example.test', validFrom: observedAt, validTo: new Date('2027-01-01T00:00:00Z'), chainValid: true, nameValid: true, error: null },
      dnssec: false, dane: null, ipv4: true, ipv6: false, publicRooms: 2, publicMembers: 12, users: null, endpoint: 'matrix.example.test:443', error: '',
      report: [{ step: 'matrix.well-known-client', level: 'warn', message: 'base_url does not answer /versions', fix: 'Point m.homeserver.base_url at the client API' }],
      ...overrides,
    },
    observations: [{ passId: 'p', domain: 'example.test', protocol: 'matrix', step: 'matrix.federation-version', observedAt, outcome: 'ok', durationMs: 41.7, facts: {}, raw: '', error: '' }],
    rooms: [
      { passId: 'p', protocol: 'matrix', roomId: '!a:example.test', server: 'example.test', address: '#small:example.test', name: 'Small', topic: '', members: 2, avatarUrl: '', language: '', worldReadable: null, guestCanJoin: null, joinRule: 'public', roomType: 'room', children: [], observedAt },
      { passId: 'p', protocol: 'matrix', roomId: '!b:example.test', server: 'example.test', address: '#big:example.test', name: 'Big\u001b[31m red', topic: '', members: 10, avatarUrl: '', language: '', worldReadable: null, guestCanJoin: null, joinRule: 'public', roomType: 'space', children: [], observedAt },
    ],
    discoveries: [{ domain: 'other.test', protocol: 'matrix', via: 'room-via', sourceDomain: 'example.test', foundAt: observedAt }],
  };
}

test('the report leads with the verdict and lists facts, fixes, rooms by size and steps', () => {
  const text = formatProbe(result());
  const lines = text.split('\n');
  assert.equal(lines[0], 'example.test (matrix): ok');
  assert.match(text, /software {6}synapse 1\.163\.2/);
  assert.match(text, /registration {2}token/);
  assert.match(text, /tls {11}TLSv1\.3 valid, expires 2027-01-01, issuer Test CA/);
  assert.match(text, /WARN base_url does not answer \/versions\n {9}fix: Point m\.homeserver\.base_url.*\n {9}steps: matrix\.well-known-client\n/);
  assert.ok(text.indexOf('#big:example.test') < text.indexOf('#small:example.test'), 'rooms sorted by members');
  assert.match(text, /\[space\]/);
  assert.match(text, /matrix\.federation-version\s+ok\s+42 ms/);
  assert.match(text, /Found 1 other domain: other\.test/);
});

test('crawled text cannot drive the terminal', () => {
  const text = formatProbe(result());
  assert.doesNotMatch(text, /\u001b/);
  assert.equal(safeText('a\u202eb\u0007c\nd'), 'a b c d');
  assert.equal(safeText('x'.repeat(10), 5), 'xxxx…');
});

test('a failed probe says so and does not invent facts', () => {
  const text = formatProbe(result({ status: 'unreachable', software: 'unknown', versionRaw: '', tls: null, error: 'connect ETIMEDOUT', report: [] }));
  assert.match(text.split('\n')[0]!, /^example\.test \(matrix\): unreachable — connect ETIMEDOUT$/);
  assert.match(text, /software {6}unknown\n/);
  assert.match(text, /tls {11}not observed/);
});

test('the health report is the one model, line for line, in its order (recorded real servers)', () => {
  for (const name of probeFixtureNames()) {
    const result = loadProbeFixture(name);
    const text = formatProbe(result);
    const section = text.slice(text.indexOf('  Health report\n'), text.indexOf('\n\n', text.indexOf('  Health report\n')));
    const titles = section.split('\n').filter((l) => /^ {4}(FAIL|WARN|info|ok  ) /.test(l)).map((l) => l.slice(9));
    assert.deepEqual(titles, probeHealthReport(result).map((f) => safeText(f.title, 300)), name);
  }
  const forbidden = loadProbeFixture(probeFixtureNames().find((n) => n.endsWith('-forbidden-federation-target'))!);
  const item = forbidden.snapshot.report.find((r) => r.level === 'error')!;
  assert.ok(formatProbe(forbidden).includes(`    FAIL ${item.message}\n`), 'the crawler\'s sentence leads as a failure');
  assert.ok(formatProbe(forbidden).includes(`         fix: ${item.fix}\n`));
});
