/**
 * End to end, no probing by proxy (issue 12 item 3): the observer's own server
 * is a REAL Prosody (Debian package) on 127.34.1.10, resolving through our DNS
 * server, logging every stanza it receives (debug level). Chatlas probes:
 * - forbidden.example: its `_xmpp-server` SRV target resolves to 127.66.0.7, a
 *   forbidden address where a listener counts every connection;
 * - dot.example: its `_xmpp-server` SRV target is `.` (its own A record points at
 *   the same forbidden listener, in case anything fell back to it);
 * - observer.example, Prosody's own domain: the positive control, asked about.
 * Asserted: Prosody receives no disco#info or version query for the first two
 * (its log shows the ones for observer.example, so the log would show them), and
 * no connection reaches the forbidden listener. A last control sends the query the
 * old code sent, through the same session: Prosody then dials the forbidden
 * listener, which is what the gate prevents.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadCrawlConfig } from '../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../crawler/net/context.ts';
import { closeObserver, probeXmpp, sharedObserver } from '../../../crawler/probe/xmpp.ts';
import { NS_DISCO_INFO } from '../../../crawler/protocol/xep0030-disco.ts';
import type { ProbeResult } from '../../../crawler/types.ts';
import { startDnsServer, type DnsServer } from '../../../sim/dns-server.ts';
import { createTestCa, type TestCa } from '../../../sim/test-ca.ts';
import { startProsody, xmppZone, type RunningXmpp } from '../../harness/xmpp-servers.ts';

const OBSERVER = { ip: '127.34.1.10', domain: 'observer.example' };
const FORBIDDEN_IP = '127.66.0.7';
const PW = 'test-only-password';

let dns: DnsServer;
let ca: TestCa;
let ctx: NetContext;
let prosody: RunningXmpp | undefined;
let listener: net.Server;
let connections = 0;
const results = new Map<string, ProbeResult>();

/** What Prosody logged: every stanza it received, at debug level. */
const prosodyLog = async (): Promise<string> => readFile(join(prosody!.dir, 'prosody.log'), 'utf8');
/**
 * IQ gets addressed to `domain` (or one of its JIDs) that Prosody received on a client stream: its
 * debug log has one `Received[c2s]: <iq type='get' to='…' …>` line per stanza (the top tag only, so
 * disco#info and version look alike: none at all may be addressed there).
 */
const queriesFor = (log: string, domain: string): string[] =>
  log.split('\n').filter((l) => /Received\[c2s\]: <iq\b/.test(l) && /type='get'/.test(l) && new RegExp(`to='([^'@]*@)?${domain.replace(/\./g, '\\.')}[/']`).test(l));

before(async () => {
  dns = await startDnsServer({ host: '127.34.0.53' });
  ca = await createTestCa();
  xmppZone(dns, OBSERVER.domain, `rooms.${OBSERVER.domain}`, OBSERVER.ip);
  dns.set('_xmpp-server._tcp.forbidden.example', { SRV: [{ priority: 0, weight: 0, port: 5269, target: 's2s.forbidden.example' }] });
  dns.set('s2s.forbidden.example', { A: [FORBIDDEN_IP] });
  dns.set('_xmpp-server._tcp.dot.example', { SRV: [{ priority: 0, weight: 0, port: 0, target: '.' }] });
  dns.set('dot.example', { A: [FORBIDDEN_IP] });
  listener = net.createServer((s) => { connections++; s.destroy(); });
  await new Promise<void>((resolve) => listener.listen(5269, FORBIDDEN_IP, resolve));
  // Every stanza Prosody receives is in its log at debug level (tests/harness/prosody/prosody.cfg.lua).
  process.env.CHATLAS_PROSODY_LOG = 'debug';
  prosody = await startProsody({ ...OBSERVER, dns, ca });
  await prosody.register('observer', PW);
  const env = {
    CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_STEP_TIMEOUT_MS: '10000',
    CHATLAS_XMPP_JID: `observer@${OBSERVER.domain}`, CHATLAS_XMPP_PASSWORD: PW,
  };
  ctx = createNetContext(loadCrawlConfig({ env }, { extraCaPems: [ca.caPem] }));
  const passId = randomUUID();
  for (const domain of ['forbidden.example', 'dot.example', OBSERVER.domain]) results.set(domain, await probeXmpp(ctx, domain, { passId, skipHttp: true }));
});

after(async () => {
  if (ctx) await closeObserver(ctx);
  await ctx?.close();
  await prosody?.stop();
  await new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
  await dns?.close();
  await ca?.cleanup();
});

test('the observer logged in on the real Prosody and asked about its own domain: the log shows such queries', async () => {
  const own = results.get(OBSERVER.domain)!;
  assert.equal(own.observations.find((o) => o.step === 'xmpp.observer-gate')?.outcome, 'ok');
  assert.equal(own.snapshot.software, 'prosody', own.snapshot.error);
  const log = await prosodyLog();
  // disco#info and version of the domain, and its disco#items (the room walk).
  assert.ok(queriesFor(log, OBSERVER.domain).length >= 3, `queries for ${OBSERVER.domain} in the log:\n${queriesFor(log, OBSERVER.domain).join('\n')}`);
});

for (const [domain, reason] of [['forbidden.example', /127\.66\.0\.7, an address that is not public/], ['dot.example', /target "\."/]] as const) {
  test(`Prosody receives no disco or version query for ${domain}`, async () => {
    const gate = results.get(domain)!.observations.find((o) => o.step === 'xmpp.observer-gate');
    assert.equal(gate?.outcome, 'refused');
    assert.match(String(gate?.facts['reason']), reason);
    assert.deepEqual(queriesFor(await prosodyLog(), domain), []);
  });
}

test('no connection reached the forbidden listener', () => {
  assert.equal(connections, 0);
});

test('control: the query the observer used to send makes Prosody dial the forbidden target', async () => {
  const session = await sharedObserver(ctx);
  await session.iq('forbidden.example', NS_DISCO_INFO, { timeoutMs: 8000 }).catch(() => null);
  assert.ok(queriesFor(await prosodyLog(), 'forbidden.example').length > 0, 'Prosody logged the query');
  assert.ok(connections > 0, 'Prosody connected to the forbidden listener on our behalf');
});
