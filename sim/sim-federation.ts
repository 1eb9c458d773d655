/**
 * A small but varied simulated federation on loopback, for `chatlas demo`,
 * the browser tests and benchmarks (TEST AND DEMO ONLY).
 *
 * Everything lives in one /16 of 127.0.0.0/8 (`prefix`, e.g. '127.50'):
 * our DNS server on <prefix>.0.53, each simulated host on its own address
 * with its own certificate from a fresh test CA. The Matrix homeservers are
 * sim/matrix-federation.ts fakes, whose bodies follow what Synapse
 * 1.163.2 sends (tests/fixtures/matrix-*, captured from the real one); the
 * software names and versions are the strings each implementation reports
 * (crawler/identify/matrix-rules.ts cites the source file of each).
 *
 * The mix is what a visitor should see on the site: several implementations,
 * every registration mode, delegation by well-known and SRV, a server that is
 * down, one with an expired certificate, one whose directory needs a token,
 * rooms and a space, rooms that name other servers (transitive discovery),
 * a room whose name is an XSS attempt, and a server whose software name and
 * version are HTML (shown as unrecognised software, never as an implementation).
 *
 * The XMPP half (sim/sim-xmpp.ts) lives on <prefix>.2.x: Prosody,
 * ejabberd, Snikket and Openfire domains reached through SRV, one down, one
 * with an expired certificate, and the observer's own server `observer.test`
 * whose account is in `crawlEnv` (CHATLAS_XMPP_JID / CHATLAS_XMPP_PASSWORD).
 */
import { startDnsServer, type DnsServer, type Zones } from './dns-server.ts';
import { createTestCa, type TestCa } from './test-ca.ts';
import { json, startFakeServer, type FakeServer, type Handler } from './fake-https.ts';
import { matrixApiRoutes, type FakeApiOptions, type FakeHomeserver, type FakeRoom } from './matrix-federation.ts';
import { startSimXmpp, type SimXmpp } from './sim-xmpp.ts';
import type { SimObserverServer } from './sim-xmpp-observer.ts';

/** Options of {@link startSimFederation}. */
export interface SimFederationOptions {
  /** First two octets of the /16 to use. @default '127.50' */
  prefix?: string;
}

/** A running simulated federation. */
export interface SimFederation {
  /** `ip:port` of our DNS server, for CHATLAS_DNS. */
  dns: string;
  /** PEM of the test CA that signed every certificate (crawler `extraCaPems`). */
  caPem: string;
  /** The same CA as a file, for NODE_EXTRA_CA_CERTS in child processes. */
  caPath: string;
  /** Crawl configuration that keeps everything on this federation's addresses. */
  crawlEnv: Record<string, string>;
  /** Server names to seed a crawl with. */
  matrixDomains: string[];
  /** XMPP domains to seed a crawl with (sim/sim-xmpp.ts), one of them down. */
  xmppDomains: string[];
  /** The XMPP observer account on the simulated `observer.test` (also in crawlEnv). */
  xmppObserver: { jid: string; password: string };
  /** The observer account's server: what it was asked, per addressed domain. */
  xmppObserverServer: SimObserverServer;
  /** Names that only appear through transitive discovery (not seeded). */
  discoverable: string[];
  close(): Promise<void>;
}

/** The XSS probe the browser tests look for: it must show as text and run nothing. */
export const XSS_ROOM_NAME = '<script>alert(1)</script>';
/** The software name `iota.test` reports: listed as unrecognised, shown only as text on its server page. */
export const HOSTILE_SOFTWARE_NAME = '<img src=x onerror=alert(1)>';

const room = (id: string, name: string, members: number, extra: Partial<FakeRoom> = {}): FakeRoom => ({
  room_id: id, name, num_joined_members: members, world_readable: false, guest_can_join: false, join_rule: 'public', ...extra,
});

/** One simulated homeserver: its name, how it is reached, and what its API says. */
interface SimHomeserver {
  name: string;
  /** Host octets within the prefix, e.g. '1.1'. */
  host: string;
  api: Omit<FakeApiOptions, 'serverName'>;
  /** How the server name leads to the API: direct on 8448, well-known delegation, or SRV. */
  reach: 'direct' | { wellKnown: string } | { srv: { target: string; port: number } };
  /** Extra routes on the API listener. */
  extra?: Record<string, Handler>;
  expiredCert?: boolean;
}

// Registration answers to `POST /_matrix/client/v3/register {}` as Synapse sends them
// (tests/fixtures/matrix-register): 401 with the flows a client must complete, or 403.
const OPEN = { status: 401, body: { session: 'a', flows: [{ stages: ['m.login.dummy'] }], params: {} } };
const TOKEN = { status: 401, body: { session: 'b', flows: [{ stages: ['m.login.registration_token'] }], params: {} } };
const CAPTCHA = { status: 401, body: { session: 'c', flows: [{ stages: ['m.login.recaptcha', 'm.login.terms'] }], params: { 'm.login.recaptcha': { public_key: 'x' } } } };
const EMAIL = { status: 401, body: { session: 'd', flows: [{ stages: ['m.login.email.identity'] }], params: {} } };

function homeservers(): SimHomeserver[] {
  return [
    {
      name: 'alpha.test', host: '1.1', reach: 'direct',
      api: {
        software: { name: 'Synapse', version: '1.163.2' }, register: OPEN,
        rooms: [
          room('!lobby:alpha.test', 'Alpha Lobby', 412, { canonical_alias: '#lobby:alpha.test', topic: 'Say hello. English, Deutsch, français welcome.' }),
          room('!rust:alpha.test', 'Rust', 1280, { canonical_alias: '#rust:alpha.test', topic: 'The Rust programming language', world_readable: true }),
          room('!music:alpha.test', 'Music', 96, { canonical_alias: '#music:alpha.test', topic: 'Share what you listen to' }),
          room('!space:alpha.test', 'Alpha Community', 512, { canonical_alias: '#community:alpha.test', room_type: 'm.space', topic: 'All Alpha rooms' }),
          room('!xss:alpha.test', XSS_ROOM_NAME, 7, { topic: '<img src=x onerror=alert(2)> topic', canonical_alias: '#xss:alpha.test' }),
          // Rooms whose ids and aliases name other servers: transitive discovery.
          room('!bridged:omega.test', 'Bridged from Omega', 33, { canonical_alias: '#bridged:omega.test' }),
        ],
      },
    },
    {
      name: 'beta.test', host: '1.2', reach: { wellKnown: 'matrix.beta.test:443' },
      api: {
        software: { name: 'Synapse', version: '1.150.0' }, register: TOKEN,
        rooms: [
          room('!selfhosted:beta.test', 'Selfhosted', 2210, { canonical_alias: '#selfhosted:beta.test', topic: 'Run your own services' }),
          room('!privacy:beta.test', 'Privacy', 640, { canonical_alias: '#privacy:beta.test', topic: 'Privacy tools and news' }),
        ],
      },
    },
    {
      name: 'gamma.test', host: '1.3', reach: { srv: { target: 'fed.gamma.test', port: 8448 } },
      api: {
        software: { name: 'Dendrite', version: '0.15.2' }, maxPage: 50,
        rooms: [room('!dendrite:gamma.test', 'Dendrite users', 58, { canonical_alias: '#dendrite:gamma.test' })],
      },
    },
    {
      name: 'delta.test', host: '1.4', reach: 'direct',
      api: { software: { name: 'Conduit', version: '0.9.0' }, maxPage: 10, rooms: [room('!conduit:delta.test', 'Conduit', 21, { canonical_alias: '#conduit:delta.test' })] },
    },
    {
      name: 'epsilon.test', host: '1.5', reach: 'direct',
      api: { software: { name: 'conduwuit', version: '0.4.6 (8c2b0e2)' }, register: CAPTCHA, rooms: [room('!gaming:epsilon.test', 'Gaming', 301, { canonical_alias: '#gaming:epsilon.test', topic: 'Games and more' })] },
      extra: { '/_conduwuit/local_user_count': json({ count: 1337 }) },
    },
    {
      name: 'zeta.test', host: '1.6', reach: 'direct',
      api: { software: { name: 'continuwuity', version: '0.5.0-rc.6' }, register: EMAIL, rooms: [room('!books:zeta.test', 'Books', 88, { canonical_alias: '#books:zeta.test' })] },
      extra: { '/_continuwuity/local_user_count': json({ count: 240 }) },
    },
    {
      name: 'eta.test', host: '1.7', reach: 'direct',
      api: { software: { name: 'Tuwunel', version: '1.4.0' }, rooms: [room('!science:eta.test', 'Science', 145, { canonical_alias: '#science:eta.test' })] },
    },
    {
      name: 'theta.test', host: '1.8', reach: 'direct',
      api: { software: { name: 'Synapse', version: '1.120.2' }, directoryAuthRequired: true },
    },
    {
      name: 'expired.test', host: '1.9', reach: 'direct', expiredCert: true,
      api: { software: { name: 'Synapse', version: '1.98.0' } },
    },
    {
      // A payload where the software name should be: a lab once saw it listed as an implementation.
      name: 'iota.test', host: '1.11', reach: 'direct',
      api: { software: { name: HOSTILE_SOFTWARE_NAME, version: '<b>6.6.6</b>' } },
    },
    {
      name: 'omega.test', host: '1.10', reach: 'direct',
      api: { software: { name: 'Synapse', version: '1.162.0' }, rooms: [room('!bridged:omega.test', 'Bridged from Omega', 33, { canonical_alias: '#bridged:omega.test' })] },
    },
  ];
}

/** Start the simulated federation. Call `close()` to stop every listener. */
export async function startSimFederation(options: SimFederationOptions = {}): Promise<SimFederation> {
  const prefix = options.prefix ?? '127.50';
  if (!/^127\.\d{1,3}$/.test(prefix)) throw new Error(`prefix ${JSON.stringify(prefix)} must be 127.N: the simulation stays on loopback`);
  const addr = (host: string) => `${prefix}.${host}`;
  const ca: TestCa = await createTestCa();
  const hosts: FakeHomeserver[] = [];
  let dns: DnsServer | undefined;
  let xmpp: SimXmpp | undefined;
  try {
    const zones: Zones = {};
    const servers = homeservers();
    for (const hs of servers) {
      const ip = addr(hs.host);
      zones[hs.name] = { A: [ip] };
      const routes = { ...matrixApiRoutes({ serverName: hs.name, ...hs.api }), ...(hs.extra ?? {}) };
      const issue = async (names: string[], listeners: Record<number, Record<string, Handler>>) => {
        const cert = await ca.issue(names, { expired: hs.expiredCert ?? false });
        const started: FakeServer[] = [];
        hosts.push({ servers: started, close: async () => { await Promise.all(started.map((s) => s.close())); } });
        for (const [port, r] of Object.entries(listeners)) {
          started.push(await startFakeServer({ host: ip, port: Number(port), tls: { certPem: cert.certPem, keyPem: cert.keyPem }, routes: r }));
        }
      };
      if (hs.reach === 'direct') {
        // The usual set-up: federation on 8448, the client API behind the web server on 443.
        await issue([hs.name], { 8448: routes, 443: routes });
      } else if ('wellKnown' in hs.reach) {
        const [delegated, port] = hs.reach.wellKnown.split(':') as [string, string];
        zones[delegated] = { A: [ip] };
        // One host serves both the well-known (for the server name) and the API (for the delegated name).
        await issue([hs.name, delegated], {
          [Number(port)]: {
            ...routes,
            '/.well-known/matrix/server': json({ 'm.server': hs.reach.wellKnown }, 200, { 'cache-control': 'max-age=86400' }),
            '/.well-known/matrix/client': json({ 'm.homeserver': { base_url: `https://${delegated}` } }),
            '/.well-known/matrix/support': json({ contacts: [{ email_address: `admin@${hs.name}`, role: 'm.role.admin' }], support_page: `https://${hs.name}/support` }),
          },
        });
      } else {
        zones[`_matrix-fed._tcp.${hs.name}`] = { SRV: [{ priority: 10, weight: 10, port: hs.reach.srv.port, target: hs.reach.srv.target }] };
        zones[hs.reach.srv.target] = { A: [ip] };
        await issue([hs.name], { [hs.reach.srv.port]: routes });
      }
    }
    // A server that is down: its SRV record says it runs Matrix (a sign of the protocol), its address
    // has nothing listening, so it is unreachable (without the record it would be not-a-server).
    zones['down.test'] = { A: [addr('1.99')] };
    zones['_matrix-fed._tcp.down.test'] = { SRV: [{ priority: 10, weight: 10, port: 8448, target: 'down.test' }] };
    xmpp = await startSimXmpp({ prefix, ca, zones });
    const xmppHalf = xmpp;
    dns = await startDnsServer({ host: addr('0.53'), zones });
    const dnsServer = dns;
    const matrixDomains = [...servers.filter((s) => s.name !== 'omega.test').map((s) => s.name), 'down.test'];
    return {
      dns: dnsServer.address,
      caPem: ca.caPem,
      caPath: ca.caPath,
      crawlEnv: {
        CHATLAS_DNS: dnsServer.address,
        CHATLAS_ALLOW_NETS: `${prefix}.0.0/16`,
        CHATLAS_CONNECT_TIMEOUT_MS: '1500', CHATLAS_HEADERS_TIMEOUT_MS: '2000', CHATLAS_BODY_TIMEOUT_MS: '2000',
        CHATLAS_STEP_TIMEOUT_MS: '3000', CHATLAS_DNS_TIMEOUT_MS: '800', CHATLAS_PER_HOST_INTERVAL_MS: '0',
        CHATLAS_XMPP_JID: xmppHalf.observerJid, CHATLAS_XMPP_PASSWORD: xmppHalf.observerPassword,
      },
      matrixDomains,
      xmppDomains: xmppHalf.domains,
      xmppObserver: { jid: xmppHalf.observerJid, password: xmppHalf.observerPassword },
      xmppObserverServer: xmppHalf.observerServer,
      discoverable: ['omega.test'],
      async close() {
        await Promise.all(hosts.map((h) => h.close()));
        await xmppHalf.close();
        await dnsServer.close();
        await ca.cleanup();
      },
    };
  } catch (error) {
    await Promise.all(hosts.map((h) => h.close()));
    await xmpp?.close();
    await dns?.close();
    await ca.cleanup();
    throw error;
  }
}
