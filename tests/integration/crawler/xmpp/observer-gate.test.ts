/**
 * No probing by proxy (issue 12 item 3) and kinds of fact (item 1) in the
 * XMPP probe, on 127.33/16 with the simulated observer server (sim/sim-xmpp-observer.ts)
 * answering as if it had routed each query over s2s. The observer asks about a
 * domain only when every address its server would dial passes the guard and
 * Chatlas's own s2s stream answered there:
 * - good.test: SRV targets and the domain on permitted addresses, s2s answers: asked;
 * - forbidden.test: the `_xmpp-server` SRV target resolves into 127.66/16: never asked, and
 *   the listener there sees no connection, from us or anyone;
 * - second.test: a second SRV target is forbidden (the observer's server may pick it): never asked;
 * - apex.test: SRV fine but the domain's own A (the RFC 6120 fallback) is forbidden: never asked;
 * - dot.test: `_xmpp-server` SRV target `.`: never asked;
 * - matrixonly.test: no XMPP records and nothing on 5269 (a Matrix-only domain): never asked.
 * The probe's request count equals what the simulated servers received, and a
 * liveness-only probe asks the observer two queries and walks no rooms.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { loadCrawlConfig } from '../../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../../crawler/net/context.ts';
import { closeObserver, probeXmpp } from '../../../../crawler/probe/xmpp.ts';
import type { ProbeResult } from '../../../../crawler/types.ts';
import { startDnsServer, type DnsServer, type Zones } from '../../../../sim/dns-server.ts';
import { createTestCa, type TestCa } from '../../../../sim/test-ca.ts';
import { startSimStreamEndpoint, type SimStreamEndpoint } from '../../../../sim/sim-xmpp-stream-server.ts';
import { startSimObserverServer, type SimObserverServer } from '../../../../sim/sim-xmpp-observer.ts';
import { fixture, routeIq, type SimXmppDomain } from '../../../../sim/sim-xmpp.ts';
import { replayScripts } from '../../../../sim/sim-xmpp-replies.ts';

const P = '127.33';
let dns: DnsServer;
let ca: TestCa;
let ctx: NetContext;
let observer: SimObserverServer;
const endpoints: SimStreamEndpoint[] = [];
let forbiddenListener: net.Server;
let forbiddenConnections = 0;
const results = new Map<string, ProbeResult>();

const room = (local: string, name: string) => ({ local, name, description: '', occupants: 3, lang: 'en', public: true, persistent: true, open: true, password: false });
const prosody = (name: string, host: string): SimXmppDomain => ({
  name, host, impl: 'prosody', version: { name: 'Prosody', version: '0.12.3', os: 'Linux' }, contacts: {},
  muc: { service: 'conference', rooms: [room('lobby', `${name} lobby`), room('help', `${name} help`)] },
});
const DOMAINS = [prosody('good.test', '1.1'), prosody('forbidden.test', '1.2'), prosody('second.test', '1.3'), prosody('apex.test', '1.4'), prosody('dot.test', '1.5'), prosody('matrixonly.test', '1.6')];
const srv = (port: number, target: string) => ({ SRV: [{ priority: 0, weight: 0, port, target }] });

before(async () => {
  ca = await createTestCa();
  const zones: Zones = {};
  // Every domain but matrixonly.test has c2s and s2s endpoints that answer as Prosody 0.12.3 does.
  for (const d of DOMAINS) {
    const ip = `${P}.${d.host}`;
    const target = `xmpp.${d.name}`;
    zones[target] = { A: [ip] };
    if (d.name === 'matrixonly.test') {
      zones[d.name] = { A: [ip] };
      continue;
    }
    zones[`_xmpp-client._tcp.${d.name}`] = srv(5222, target);
    zones[`_xmpp-server._tcp.${d.name}`] = srv(5269, target);
    const cert = await ca.issue([d.name, target]);
    const scripts = replayScripts('prosody', d.name, fixture);
    endpoints.push(await startSimStreamEndpoint({ host: ip, port: 5222, script: scripts.c2s, tls: cert }));
    endpoints.push(await startSimStreamEndpoint({ host: ip, port: 5269, script: scripts.s2s, tls: cert }));
  }
  // The forbidden block: a listener that counts every connection.
  forbiddenListener = net.createServer((s) => { forbiddenConnections++; s.destroy(); });
  await new Promise<void>((resolve) => forbiddenListener.listen(5269, '127.66.0.9', resolve));
  zones['s2s.forbidden.test'] = { A: ['127.66.0.9'] };
  zones['_xmpp-server._tcp.forbidden.test'] = srv(5269, 's2s.forbidden.test');
  zones['s2s.second.test'] = { A: ['127.66.0.9'] };
  zones['_xmpp-server._tcp.second.test'] = { SRV: [{ priority: 0, weight: 0, port: 5269, target: 'xmpp.second.test' }, { priority: 10, weight: 0, port: 5269, target: 's2s.second.test' }] };
  zones['apex.test'] = { A: ['127.66.0.9'] };
  zones['_xmpp-server._tcp.dot.test'] = srv(0, '.');
  // The observer's own server.
  const oip = `${P}.9.1`;
  zones['xmpp.observer.test'] = { A: [oip] };
  zones['_xmpp-client._tcp.observer.test'] = srv(5222, 'xmpp.observer.test');
  const ocert = await ca.issue(['observer.test', 'xmpp.observer.test']);
  const own = (p: string): string => fixture(p).split('prosody.test').join('observer.test').trimEnd();
  observer = await startSimObserverServer({
    host: oip, port: 5222, domain: 'observer.test', user: 'observer', password: 'pw', tls: ocert,
    streams: {
      preTls: own('rfc6120-features/prosody-0.12.3-c2s-pre-tls.input.xml'),
      postTls: own('rfc6120-features/prosody-0.12.3-c2s-post-tls.input.xml'),
      postAuth: own('rfc6120-features/prosody-0.12.3-c2s-post-auth.input.xml'),
    },
    route: (iq) => routeIq(DOMAINS, iq),
  });
  dns = await startDnsServer({ host: `${P}.0.53`, zones });
  ctx = createNetContext(loadCrawlConfig({ env: {
    CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_PER_HOST_INTERVAL_MS: '0',
    CHATLAS_STEP_TIMEOUT_MS: '3000', CHATLAS_CONNECT_TIMEOUT_MS: '1000', CHATLAS_XMPP_JID: 'observer@observer.test', CHATLAS_XMPP_PASSWORD: 'pw',
  } }, { extraCaPems: [ca.caPem] }));
  for (const d of DOMAINS) results.set(d.name, await probeXmpp(ctx, d.name, { passId: 'gate', skipHttp: true }));
});

after(async () => {
  if (ctx) await closeObserver(ctx);
  await ctx?.close();
  await Promise.all(endpoints.map((e) => e.close()));
  await observer?.close();
  await new Promise<void>((resolve) => forbiddenListener?.close(() => resolve()));
  await dns?.close();
  await ca?.cleanup();
});

const gateOf = (domain: string) => results.get(domain)?.observations.find((o) => o.step === 'xmpp.observer-gate');
const asked = (domain: string): number => [...observer.iqsByDomain].filter(([host]) => host === domain || host.endsWith(`.${domain}`)).reduce((n, [, c]) => n + c, 0);

test('a domain whose s2s targets are public and answered is observed: software and rooms', () => {
  const r = results.get('good.test')!;
  assert.equal(gateOf('good.test')?.outcome, 'ok');
  assert.equal(r.snapshot.software, 'prosody');
  assert.deepEqual(r.rooms.map((x) => x.roomId).sort(), ['help@conference.good.test', 'lobby@conference.good.test']);
  assert.ok(asked('good.test') >= 4, 'disco#info, version, items, rooms');
});

for (const [domain, why] of [
  ['forbidden.test', /127\.66\.0\.9, an address that is not public/],
  ['second.test', /s2s\.second\.test resolves to 127\.66\.0\.9/],
  ['apex.test', /apex\.test resolves to 127\.66\.0\.9/],
  ['dot.test', /target "\."/],
  ['matrixonly.test', /no server-to-server stream answered/],
] as const) {
  test(`${domain}: the observer's server is never asked about it`, () => {
    const gate = gateOf(domain);
    assert.equal(gate?.outcome, 'refused');
    assert.match(String(gate?.facts['reason']), why);
    assert.equal(asked(domain), 0);
    const r = results.get(domain)!;
    assert.ok(!r.observations.some((o) => o.step === 'xmpp.disco-info' || o.step === 'xmpp.version'), 'no observer step');
    assert.deepEqual(r.rooms, []);
    assert.ok(r.snapshot.measured?.includes('rooms'), 'nothing can be listed: an answer, not a gap to carry over');
  });
}

test('no connection reached the forbidden listener, from Chatlas or through the observer', () => {
  assert.equal(forbiddenConnections, 0);
});

test('the probe counts what it sent: the servers saw exactly that many connections and queries', async () => {
  const before = { conns: endpoints.reduce((n, e) => n + e.connections, 0), asked: asked('good.test') };
  const r = await probeXmpp(ctx, 'good.test', { passId: 'count', skipHttp: true });
  const conns = endpoints.reduce((n, e) => n + e.connections, 0) - before.conns;
  const queries = asked('good.test') - before.asked;
  assert.equal(r.snapshot.requests, conns + queries);
  assert.equal(conns, 2, 'one c2s and one s2s stream');
  // The observer's queries about the domain are counted apart, per probe.
  assert.deepEqual(r.observations.find((o) => o.step === 'xmpp.requests')?.facts, { requests: conns + queries, observerQueries: queries, limit: 720 });
  assert.equal(ctx.budget.used('xmpp:good.test'), results.get('good.test')!.snapshot.requests! + r.snapshot.requests!);
});

test('a liveness-only probe streams and asks disco#info and version: no room walk, nothing else measured', async () => {
  const before = asked('good.test');
  const r = await probeXmpp(ctx, 'good.test', { passId: 'live', skipHttp: true, due: ['liveness'] });
  assert.deepEqual(r.snapshot.measured, ['liveness']);
  assert.equal(asked('good.test') - before, 2);
  assert.equal(r.snapshot.software, 'prosody');
  assert.deepEqual(r.rooms, []);
  for (const step of ['dns.a', 'dns.tlsa', 'xmpp.disco-items', 'xmpp.muc-rooms', 'xmpp.room-info']) {
    assert.ok(!r.observations.some((o) => o.step === step), `${step} not run`);
  }
});
