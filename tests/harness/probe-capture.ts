/**
 * Fixture capture of whole probe results (TEST/DEV ONLY): starts the REAL
 * Prosody, ejabberd and Synapse exactly as the e2e tests do (each on its own
 * 127.x address, every name through our DNS server on 127.31.0.53:53, test-CA
 * certificates), runs the crawler's own `probeXmpp` / `probeMatrix` against
 * them, and writes each ProbeResult as JSON (the shape `chatlas probe --json`
 * prints, one result per file) into `<outdir>`:
 *
 * - `prosody-<version>-healthy.json`, `ejabberd-<version>-healthy.json`: the
 *   e2e federation set-up (observer account on Prosody, public, hidden,
 *   members-only and password rooms, occupants). Unlike the e2e test the HTTPS
 *   lookups are not skipped: a crawl makes them, and neither server serves
 *   https://<domain>/ (port 443), as many real XMPP servers do not.
 * - `synapse-<version>-healthy.json`: the e2e Synapse set-up (well-known
 *   delegation, public rooms and a space, closed registration).
 * - `ejabberd-<version>-down.json`, `synapse-<version>-down.json`: the same
 *   domains probed again (a fresh context) right after their server stopped:
 *   DNS still names them, nothing listens on their ports.
 * - `synapse-<version>-forbidden-federation-target.json`: the same Synapse
 *   with its well-known turned off and a `_matrix-fed._tcp` SRV record that
 *   sends federation to `fed.<server name>`, whose A record is in the crawler's
 *   denied range (127.66.0.0/16): the client API answers, the federation
 *   target is refused by the address guard.
 *
 * Usage: node tests/harness/probe-capture.ts <outdir>
 * These results are what the health report, the API and the pages read in the
 * tests: they are the writer's real output, never hand-made.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCrawlConfig } from '../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../crawler/net/context.ts';
import { closeObserver, probeXmpp } from '../../crawler/probe/xmpp.ts';
import { probeMatrix } from '../../crawler/probe/matrix.ts';
import type { ProbeResult } from '../../crawler/types.ts';
import { startDnsServer } from '../../sim/dns-server.ts';
import { createTestCa } from '../../sim/test-ca.ts';
import { dpkgVersion, startEjabberd, startProsody, xmppZone } from './xmpp-servers.ts';
import { connectOccupant, type Occupant } from './xmpp-occupant.ts';
import { installedSynapseVersion, startSynapse, SYNAPSE_ADDRESS } from './synapse.ts';

const [outdir] = process.argv.slice(2);
if (!outdir) throw new Error('usage: probe-capture.ts <outdir>');
mkdirSync(outdir, { recursive: true });

// Under "example." (RFC 2606), as in the e2e test: Prosody's resolver answers "test." itself.
const PROSODY = { ip: '127.31.1.10', domain: 'prosody.example' };
const EJABBERD = { ip: '127.31.1.20', domain: 'ejabberd.example' };
const SYNAPSE = 'synapse.test';
/** In CHATLAS_DENY_NETS below: what the address guard refuses. */
const FORBIDDEN_ADDRESS = '127.66.0.9';
const PW = 'test-only-password';

/** The Debian version without its revision, as the servers announce it. */
const upstream = (v: string): string => v.split('-')[0] ?? v;

function save(name: string, result: ProbeResult): void {
  writeFileSync(join(outdir!, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${name}.json: ${result.snapshot.status}, ${result.observations.length} steps, ${result.snapshot.report.length} report items`);
}

// ejabberd's outbound s2s resolves through libc, hence port 53 (tests/harness/xmpp-servers.ts).
const dns = await startDnsServer({ host: '127.31.0.53', port: 53 });
// Ten-year certificates: the recordings must not turn into expired servers a week after the capture.
const ca = await createTestCa({ days: 3650 });
const env = { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_STEP_TIMEOUT_MS: '10000' };
const contexts: NetContext[] = [];
try {
  // 1. XMPP: Prosody and ejabberd federating, the observer account on Prosody.
  xmppZone(dns, PROSODY.domain, `rooms.${PROSODY.domain}`, PROSODY.ip);
  xmppZone(dns, EJABBERD.domain, `conference.${EJABBERD.domain}`, EJABBERD.ip);
  dns.set(`_xmpps-client._tcp.${EJABBERD.domain}`, { SRV: [{ priority: 0, weight: 0, port: 5223, target: EJABBERD.domain }] });
  const [prosody, ejabberd] = await Promise.all([
    startProsody({ ...PROSODY, dns, ca }),
    startEjabberd({ ...EJABBERD, dns, ca, node: 'chatlas-capture@localhost' }),
  ]);
  const occupants: Occupant[] = [];
  try {
    const ctx = createNetContext(loadCrawlConfig({ env: { ...env, CHATLAS_XMPP_JID: `observer@${PROSODY.domain}`, CHATLAS_XMPP_PASSWORD: PW } }, { extraCaPems: [ca.caPem] }));
    contexts.push(ctx);
    for (const s of [prosody, ejabberd]) {
      for (const u of ['observer', 'alice', 'bob']) await s.register(u, PW);
      await s.createRoom('hidden', { name: 'Hidden room', public: false });
      await s.createRoom('members', { name: 'Members room', public: true, membersOnly: true });
      await s.createRoom('secret', { name: 'Secret room', public: true, password: 'pw' });
    }
    await prosody.createRoom('lobby', { name: 'Lobby', description: 'Public Prosody room', public: true });
    await ejabberd.createRoom('general', { name: 'General', description: 'Public ejabberd room', public: true });
    for (const [srv, user, room] of [[prosody, 'alice', 'lobby'], [prosody, 'bob', 'lobby'], [ejabberd, 'alice', 'general']] as const) {
      const o = await connectOccupant(ctx, srv.ip, user, srv.domain, PW);
      occupants.push(o);
      await o.join(`${room}@${srv.muc}`, user);
    }
    save(`prosody-${upstream(dpkgVersion('prosody'))}-healthy`, await probeXmpp(ctx, PROSODY.domain, { passId: 'capture' }));
    save(`ejabberd-${upstream(dpkgVersion('ejabberd'))}-healthy`, await probeXmpp(ctx, EJABBERD.domain, { passId: 'capture' }));
    for (const o of occupants.splice(0)) o.close();
    // ejabberd stopped, Prosody (and so the observer) still up.
    await ejabberd.stop();
    const downCtx = createNetContext(loadCrawlConfig({ env: { ...env, CHATLAS_XMPP_JID: `observer@${PROSODY.domain}`, CHATLAS_XMPP_PASSWORD: PW } }, { extraCaPems: [ca.caPem] }));
    contexts.push(downCtx);
    save(`ejabberd-${upstream(dpkgVersion('ejabberd'))}-down`, await probeXmpp(downCtx, EJABBERD.domain, { passId: 'capture' }));
    await closeObserver(downCtx);
    await closeObserver(ctx);
  } finally {
    for (const o of occupants) o.close();
    // stop() of a stopped server is harmless (the harness checks what still runs).
    await Promise.all([prosody.stop(), ejabberd.stop()]);
  }

  // 2. Matrix: the e2e Synapse, healthy.
  const version = installedSynapseVersion();
  const cert = await ca.issue([SYNAPSE, `fed.${SYNAPSE}`]);
  dns.set(SYNAPSE, { A: [SYNAPSE_ADDRESS] });
  const matrixCtx = createNetContext(loadCrawlConfig({ env }, { extraCaPems: [ca.caPem] }));
  contexts.push(matrixCtx);
  const healthy = await startSynapse({ serverName: SYNAPSE, certPem: cert.certPem, keyPem: cert.keyPem });
  try {
    await healthy.api('POST', '/_matrix/client/v3/createRoom', { preset: 'public_chat', visibility: 'public', room_alias_name: 'lobby', name: 'Lobby', topic: 'General chat' });
    save(`synapse-${version}-healthy`, await probeMatrix(matrixCtx, SYNAPSE, { passId: 'capture' }));
  } finally {
    await healthy.stop();
  }
  const downCtx = createNetContext(loadCrawlConfig({ env }, { extraCaPems: [ca.caPem] }));
  contexts.push(downCtx);
  save(`synapse-${version}-down`, await probeMatrix(downCtx, SYNAPSE, { passId: 'capture' }));

  // 3. Matrix: federation sent by SRV to a name in the denied range (a fresh context: no cached well-known).
  dns.set(`_matrix-fed._tcp.${SYNAPSE}`, { SRV: [{ priority: 0, weight: 0, port: 8448, target: `fed.${SYNAPSE}` }] });
  dns.set(`fed.${SYNAPSE}`, { A: [FORBIDDEN_ADDRESS] });
  const forbiddenCtx = createNetContext(loadCrawlConfig({ env }, { extraCaPems: [ca.caPem] }));
  contexts.push(forbiddenCtx);
  const forbidden = await startSynapse({ serverName: SYNAPSE, certPem: cert.certPem, keyPem: cert.keyPem, extraConfig: 'serve_server_wellknown: false' });
  try {
    save(`synapse-${version}-forbidden-federation-target`, await probeMatrix(forbiddenCtx, SYNAPSE, { passId: 'capture' }));
  } finally {
    await forbidden.stop();
  }
} finally {
  for (const c of contexts) await c.close();
  await dns.close();
  await ca.cleanup();
}
