import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { explainCode, healthReport } from '../../../site/lib/health-report.ts';
import type { ServerDetail, ServerState } from '../../../db/queries/servers/get-server.ts';

const state = (over: Partial<ServerState>): ServerState => ({
  observed_at: '2026-11-20T10:00:00.000Z', pass_id: 'p', status: 'ok', software: 'prosody', version_raw: '13.0.2', version: '13.0.2',
  registration: 'closed', features: [], spec_versions: [], tls_version: 'TLSv1.3', tls_issuer: 'CA', tls_valid: true,
  tls_expires_at: '2027-01-20T00:00:00.000Z', dnssec: true, dane: true, ipv4: true, ipv6: true, public_rooms: 0, public_members: 0,
  users: null, endpoint: '', error: '', report: [], ...over,
});
const now = new Date('2026-11-20T12:00:00Z');

describe('healthReport', () => {
  it('reports a healthy server as ok only', () => {
    const f = healthReport({ protocol: 'xmpp', domain: 'x.test', latest: state({}), lastOk: state({}) }, [], now);
    assert.deepEqual(f.map((x) => [x.level, x.title]), [['ok', 'TLS certificate valid']]);
  });
  it('explains a down server with its failing step, and keeps last good facts', () => {
    const server: ServerDetail = {
      protocol: 'xmpp', domain: 'x.test',
      latest: state({ status: 'unreachable', error: 'connect ECONNREFUSED', tls_valid: null }),
      lastOk: state({ observed_at: '2026-11-18T10:00:00.000Z', ipv6: false }),
    };
    const f = healthReport(server, [{ protocol: 'xmpp', step: 'xmpp.c2s-features', outcome: 'net.connect-refused', durationMs: 3, observedAt: null, facts: {}, error: 'ECONNREFUSED' }], now);
    assert.equal(f[0]!.level, 'error');
    assert.match(f[0]!.fix, /Last answered on 2026-11-18/);
    assert.match(f[1]!.fix, /open the port/);
    assert.ok(f.some((x) => x.title === 'Not reachable over IPv6'));
  });
  it('warns before a certificate expires and errors once it has', () => {
    const soon = healthReport({ protocol: 'matrix', domain: 'm.test', latest: state({ tls_expires_at: '2026-11-25T12:00:00.000Z' }), lastOk: null }, [], now);
    assert.equal(soon[0]!.title, 'TLS certificate expires in 5 days');
    const gone = healthReport({ protocol: 'matrix', domain: 'm.test', latest: state({ tls_valid: false }), lastOk: null }, [], now);
    assert.equal(gone[0]!.title, 'TLS certificate does not verify');
  });
  it('ignores expected outcomes and malformed stored findings', () => {
    const f = healthReport({
      protocol: 'matrix', domain: 'm.test',
      latest: state({}), lastOk: null,
    }, [{ protocol: 'matrix', step: 'matrix.well-known-server', outcome: 'absent', durationMs: 1, observedAt: null, facts: {}, error: '' }], now);
    assert.deepEqual(f.map((x) => x.title), ['TLS certificate valid']);
  });
  it('falls back from a code to its family', () => {
    assert.equal(explainCode('dns.refused').what, 'DNS lookup failed.');
    assert.match(explainCode('something.new').what, /something\.new/);
  });
});
