/**
 * The XMPP probe's status from what it observed (crawler/probe/xmpp-status.ts): a domain with no
 * sign of XMPP is not-a-server; one with SRV records that does not answer is unreachable
 * (issue 13 item 7: three Dendrite servers were listed as "XMPP, uptime 0%").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { xmppSign, xmppStatus } from '../../../../crawler/probe/xmpp-status.ts';
import type { Observation, Outcome } from '../../../../crawler/types.ts';

const obs = (step: string, outcome: Outcome, facts: Record<string, unknown> = {}): Observation => ({
  passId: 'p', domain: 'd.test', protocol: 'xmpp', step, observedAt: new Date(0), outcome, durationMs: 0, facts, raw: '', error: '',
});
const srv = (service: string, status: 'ok' | 'nodata' | 'nxdomain', targets: string[] = []): Observation =>
  obs(`dns.srv.${service}`, status, { name: `_${service}._tcp.d.test`, status, records: targets.map((target) => ({ priority: 0, weight: 5, port: 5222, target })) });
const noSrv = ['xmpp-client', 'xmpps-client', 'xmpp-server', 'xmpps-server'].map((s) => srv(s, 'nxdomain'));
const refused = [obs('xmpp.c2s-connect', 'net.connect-refused', { host: 'd.test', port: 5222, source: 'fallback' }), obs('xmpp.s2s-connect', 'net.connect-refused', { host: 'd.test', port: 5269, source: 'fallback' })];
const silent = { spoke: false, connected: false, notOffered: false };

test('no SRV record and nothing on 5222/5269: not-a-server (a Matrix-only domain)', () => {
  assert.equal(xmppSign([...noSrv, ...refused]), 'none');
  assert.equal(xmppStatus([...noSrv, ...refused], silent), 'not-a-server');
  const nodata = ['xmpp-client', 'xmpps-client', 'xmpp-server', 'xmpps-server'].map((s) => srv(s, 'nodata'));
  const timeouts = [obs('xmpp.c2s-connect', 'net.connect-timeout'), obs('xmpp.s2s-connect', 'net.connect-timeout')];
  assert.equal(xmppStatus([...nodata, ...timeouts], silent), 'not-a-server', 'a firewall that drops 5222 answers nothing either');
  const noAddress = [obs('xmpp.c2s-connect', 'dns.nxdomain'), obs('xmpp.s2s-connect', 'dns.nxdomain')];
  assert.equal(xmppStatus([...noSrv, ...noAddress], silent), 'not-a-server');
  const webOnly = [obs('xmpp.host-meta', 'absent', { status: 404 }), obs('xmpp.host-meta-json', 'absent', { status: 404 }), obs('xmpp.provider-file', 'absent', { status: 404 })];
  assert.equal(xmppStatus([...noSrv, ...webOnly, ...refused], silent), 'not-a-server', 'a web server without XMPP files is no sign');
  const lrddOnly = obs('xmpp.host-meta', 'ok', { links: [], xmpp: null });
  assert.equal(xmppStatus([...noSrv, lrddOnly, ...refused], silent), 'not-a-server', 'a host-meta without XMPP links (Mastodon\'s) is no sign');
});

test('SRV records that point somewhere, and nothing answers: unreachable', () => {
  const withSrv = [srv('xmpp-client', 'ok', ['xmpp.d.test']), srv('xmpps-client', 'nxdomain'), srv('xmpp-server', 'ok', ['xmpp.d.test']), srv('xmpps-server', 'nxdomain')];
  assert.equal(xmppSign(withSrv), 'seen');
  assert.equal(xmppStatus([...withSrv, ...refused], silent), 'unreachable');
  const serverOnly = [srv('xmpp-client', 'nxdomain'), srv('xmpp-server', 'ok', ['d.test'])];
  assert.equal(xmppStatus([...serverOnly, ...refused], silent), 'unreachable');
});

test('host-meta links or a provider file are signs of XMPP too', () => {
  const links = obs('xmpp.host-meta-json', 'ok', { links: [{ method: 'websocket', href: 'wss://d.test/ws' }], xmpp: null });
  assert.equal(xmppStatus([...noSrv, links, ...refused], silent), 'unreachable');
  assert.equal(xmppStatus([...noSrv, obs('xmpp.provider-file', 'ok', { serverTesting: true }), ...refused], silent), 'unreachable');
});

test('SRV "." for both sides says XMPP is not offered: not-a-server, even with the records', () => {
  const dot = [srv('xmpp-client', 'ok', ['.']), srv('xmpp-server', 'ok', ['.'])];
  assert.equal(xmppSign(dot), 'none');
  assert.equal(xmppStatus(dot, { ...silent, notOffered: true }), 'not-a-server');
});

test('an SRV question left unanswered proves nothing: unreachable, as before', () => {
  const open = [srv('xmpp-client', 'nxdomain'), obs('dns.srv.xmpp-server', 'dns.servfail'), ...refused];
  assert.equal(xmppSign(open), 'unknown');
  assert.equal(xmppStatus(open, silent), 'unreachable');
  assert.equal(xmppStatus([...noSrv, obs('xmpp.c2s-connect', 'dns.timeout')], silent), 'unreachable', 'the fallback\'s address lookup timed out');
});

test('a connection decides before any sign: features are ok, a connection that failed later is an error', () => {
  assert.equal(xmppStatus([...noSrv, obs('xmpp.c2s-connect', 'ok')], { spoke: true, connected: true, notOffered: false }), 'ok');
  assert.equal(xmppStatus([...noSrv, obs('xmpp.c2s-connect', 'ok')], { spoke: false, connected: true, notOffered: false }), 'error');
  assert.equal(xmppSign([...noSrv, obs('xmpp.s2s-connect', 'ok')]), 'seen');
});
