/**
 * The XMPP half of the simulated federation (TEST AND DEMO ONLY), started by
 * sim/sim-federation.ts on `<prefix>.2.x`:
 *
 * | domain        | software (XEP-0092 reply)          | reached by                                   | notes |
 * |---------------|------------------------------------|----------------------------------------------|-------|
 * | kilo.test     | Prosody 0.12.3 / Linux             | SRV _xmpp-client + _xmpp-server              | IBR off; rooms incl. hidden, members-only, password, XSS name; upload; provider file |
 * | lima.test     | ejabberd 23.01-1 / unix/linux …    | SRV _xmpp-client + _xmpp-server              | IBR advertised + form; RSM room paging; no provider file (404) |
 * | mike.test     | Snikket 2024.10                    | SRV _xmpps-client (direct TLS) + _xmpp-client | Prosody bytes underneath; sign-up by invitation (XEP-0445) |
 * | november.test | Openfire 4.9.2 / Java 17.0.13      | SRV _xmpp-client + _xmpp-server              | caps before auth; XEP-0232 form |
 * | oscar.test    | — (down)                           | SRV to an address where nothing listens      | s2s fails: remote-server-not-found |
 * | papa.test     | Prosody 0.12.3 / Linux             | SRV, certificate expired                     | s2s still works (dialback, Prosody's default s2s_secure_auth = false) |
 *
 * plus the observer's own server `observer.test` (sim/sim-xmpp-observer.ts),
 * which answers the observer's queries to these domains as if routed over s2s.
 * The bytes and where each comes from: sim/sim-xmpp-replies.ts.
 */
import { readFileSync } from 'node:fs';
import type { Zones } from './dns-server.ts';
import type { TestCa } from './test-ca.ts';
import { startSimStreamEndpoint, type SimStreamEndpoint } from './sim-xmpp-stream-server.ts';
import { startSimObserverServer, type RoutedIq, type SimObserverServer } from './sim-xmpp-observer.ts';
import { domainInfo, domainItems, iqError, iqResult, replayScripts, roomItems, rsmSet, versionQuery, type Contacts, type SimImpl, type SimRoom } from './sim-xmpp-replies.ts';
import { mucServiceInfo, roomInfo, uploadInfo } from './sim-xmpp-muc.ts';
import { json, startFakeServer, type FakeServer, type Handler } from './fake-https.ts';

/** The XSS probe room name (same string as the Matrix one in sim-federation.ts). */
export const XMPP_XSS_ROOM_NAME = '<script>alert(1)</script>';

/** Read a captured fixture (tests/fixtures/<path>). */
export const fixture = (path: string): string => readFileSync(new URL(`../tests/fixtures/${path}`, import.meta.url), 'utf8');

/** One simulated XMPP domain. */
export interface SimXmppDomain {
  name: string;
  /** Host octets within the prefix, e.g. '2.1'. */
  host: string;
  impl: SimImpl;
  version: { name: string; version: string; os: string };
  contacts: Contacts;
  /** MUC service local name (conference, groups, …) and its rooms; hidden rooms are never in its items. */
  muc?: { service: string; rooms: SimRoom[] };
  upload?: { service: string; maxFileSize: number };
  /** Also offer direct TLS on 5223 (`_xmpps-client`). */
  directTls?: boolean;
  expiredCert?: boolean;
  /** Nothing listens (its SRV target resolves to an idle address). */
  down?: boolean;
  /**
   * HTTPS on the domain's own name (where the probe asks for host-meta and the provider file):
   * the provider file when given, a 404 for it when null. @default no web server (and no A record)
   */
  web?: { providerFile: Record<string, unknown> | null };
}

/**
 * kilo.test's provider file: the v2 properties in the shape ejabberd's mod_providers serves
 * (src/mod_providers.erl `file_json`), stated by a small volunteer-run server.
 */
export const KILO_PROVIDER_FILE = {
  website: { en: 'https://kilo.test/' }, alternativeJids: [], busFactor: 2, organization: 'non-governmental',
  passwordReset: { en: 'https://kilo.test/reset' }, serverTesting: true, maximumHttpFileUploadTotalSize: 1000,
  maximumHttpFileUploadStorageTime: 30, maximumMessageArchiveManagementStorageTime: 365, professionalHosting: false,
  freeOfCharge: true, legalNotice: { de: 'https://kilo.test/impressum', en: 'https://kilo.test/legal' }, serverLocations: ['de'], since: '2016-04-01',
} as const;

const room = (local: string, name: string, occupants: number, extra: Partial<SimRoom> = {}): SimRoom => ({
  local, name, description: '', occupants, lang: 'en', public: true, persistent: true, open: true, password: false, ...extra,
});

export function simXmppDomains(): SimXmppDomain[] {
  return [
    {
      name: 'kilo.test', host: '2.1', impl: 'prosody', version: { name: 'Prosody', version: '0.12.3', os: 'Linux' },
      contacts: { abuse: ['xmpp:abuse@kilo.test'], admin: ['mailto:admin@kilo.test', 'xmpp:admin@kilo.test'] },
      upload: { service: 'upload', maxFileSize: 10 * 1024 * 1024 },
      web: { providerFile: KILO_PROVIDER_FILE },
      muc: { service: 'conference', rooms: [
        room('lobby', 'Kilo Lobby', 42, { description: 'Say hello. English and Deutsch welcome.' }),
        room('prosody', 'Prosody users', 118, { description: 'Questions about running Prosody' }),
        room('xss', XMPP_XSS_ROOM_NAME, 5, { description: '<img src=x onerror=alert(2)>' }),
        room('hidden', 'Hidden Room', 3, { public: false }),
        room('members', 'Members', 9, { open: false }),
        room('secret', 'Secret', 2, { password: true }),
      ] },
    },
    {
      name: 'lima.test', host: '2.2', impl: 'ejabberd', version: { name: 'ejabberd', version: '23.01-1', os: 'unix/linux 6.18.44' },
      contacts: { abuse: ['xmpp:abuse@lima.test'] },
      web: { providerFile: null },
      muc: { service: 'conference', rooms: [
        room('general', 'General', 12, { description: 'Public test room' }),
        room('erlang', 'Erlang', 30, { description: 'Erlang and Elixir' }),
        room('deutsch', 'Deutsch', 8, { description: 'Plaudern auf Deutsch', lang: 'de' }),
        room('members', 'members', 4, { open: false }),
        room('secret', '', 1, { password: true }),
      ] },
    },
    {
      name: 'mike.test', host: '2.3', impl: 'snikket', version: { name: 'Snikket', version: '2024.10', os: '' }, directTls: true,
      contacts: { admin: ['xmpp:admin@mike.test'] },
      upload: { service: 'share', maxFileSize: 100 * 1024 * 1024 },
      muc: { service: 'groups', rooms: [
        room('snikket', 'Snikket Chat', 27, { description: 'Talk about Snikket' }),
        room('family', 'Family', 6, { open: false }),
      ] },
    },
    {
      name: 'november.test', host: '2.4', impl: 'openfire', version: { name: 'Openfire', version: '4.9.2', os: 'Java 17.0.13' },
      contacts: { admin: ['mailto:admin@november.test'] },
      muc: { service: 'conference', rooms: [
        room('support', 'Support', 17, { description: 'Openfire help' }),
        room('staff', 'Staff', 4, { public: false }),
      ] },
    },
    { name: 'oscar.test', host: '2.99', impl: 'prosody', version: { name: 'Prosody', version: '0.12.3', os: 'Linux' }, contacts: {}, down: true },
    {
      name: 'papa.test', host: '2.6', impl: 'prosody', version: { name: 'Prosody', version: '0.12.3', os: 'Linux' }, expiredCert: true,
      contacts: {},
      muc: { service: 'conference', rooms: [room('oldtimers', 'Old timers', 3, { description: 'Since 2005' })] },
    },
  ];
}

export interface SimXmppOptions {
  prefix: string;
  ca: TestCa;
  /** Filled with the SRV and A records (call before the DNS server starts, or copy them in). */
  zones: Zones;
  /** Observer account. @default observer@observer.test / chatlas-sim-observer */
  observer?: { user: string; password: string };
}

export interface SimXmpp {
  domains: string[];
  observerJid: string;
  observerPassword: string;
  observerServer: SimObserverServer;
  close(): Promise<void>;
}

const OBSERVER_DOMAIN = 'observer.test';

/** Start the XMPP half on `<prefix>.2.x`. */
export async function startSimXmpp(opts: SimXmppOptions): Promise<SimXmpp> {
  const addr = (host: string): string => `${opts.prefix}.${host}`;
  const user = opts.observer?.user ?? 'observer';
  const password = opts.observer?.password ?? 'chatlas-sim-observer';
  const domains = simXmppDomains();
  const endpoints: SimStreamEndpoint[] = [];
  const webs: FakeServer[] = [];
  let observerServer: SimObserverServer | undefined;
  const srv = (name: string, port: number, target: string) => ({ SRV: [{ priority: 0, weight: 5, port, target }] });
  try {
    for (const d of domains) {
      const target = `xmpp.${d.name}`;
      const ip = addr(d.host);
      opts.zones[target] = { A: [ip] };
      opts.zones[`_xmpp-client._tcp.${d.name}`] = srv(d.name, 5222, target);
      opts.zones[`_xmpp-server._tcp.${d.name}`] = srv(d.name, 5269, target);
      if (d.directTls) opts.zones[`_xmpps-client._tcp.${d.name}`] = srv(d.name, 5223, target);
      if (d.down) continue;
      const cert = await opts.ca.issue([d.name, target], { expired: d.expiredCert ?? false });
      const certs = { certPem: cert.certPem, keyPem: cert.keyPem };
      const scripts = replayScripts(d.impl, d.name, fixture);
      endpoints.push(await startSimStreamEndpoint({ host: ip, port: 5222, script: scripts.c2s, tls: certs }));
      endpoints.push(await startSimStreamEndpoint({ host: ip, port: 5269, script: scripts.s2s, tls: certs }));
      if (d.directTls) endpoints.push(await startSimStreamEndpoint({ host: ip, port: 5223, script: scripts.c2s, tls: certs, directTls: true }));
      if (d.web) {
        opts.zones[d.name] = { A: [ip] };
        const routes: Record<string, Handler> = d.web.providerFile ? { '/.well-known/xmpp-provider-v2.json': json(d.web.providerFile) } : {};
        webs.push(await startFakeServer({ host: ip, port: 443, tls: certs, routes }));
      }
    }
    // The observer's server: Prosody's captured c2s bytes for its own domain.
    const oip = addr('2.100');
    opts.zones[`xmpp.${OBSERVER_DOMAIN}`] = { A: [oip] };
    opts.zones[`_xmpp-client._tcp.${OBSERVER_DOMAIN}`] = srv(OBSERVER_DOMAIN, 5222, `xmpp.${OBSERVER_DOMAIN}`);
    const ocert = await opts.ca.issue([OBSERVER_DOMAIN, `xmpp.${OBSERVER_DOMAIN}`]);
    const own = (p: string): string => fixture(p).split('prosody.test').join(OBSERVER_DOMAIN).trimEnd();
    observerServer = await startSimObserverServer({
      host: oip, port: 5222, domain: OBSERVER_DOMAIN, user, password, tls: { certPem: ocert.certPem, keyPem: ocert.keyPem },
      streams: {
        preTls: own('rfc6120-features/prosody-0.12.3-c2s-pre-tls.input.xml'),
        postTls: own('rfc6120-features/prosody-0.12.3-c2s-post-tls.input.xml'),
        postAuth: own('rfc6120-features/prosody-0.12.3-c2s-post-auth.input.xml'),
      },
      route: (iq) => routeIq(domains, iq),
    });
  } catch (error) {
    await Promise.all([...endpoints.map((e) => e.close()), ...webs.map((w) => w.close())]);
    await observerServer?.close();
    throw error;
  }
  const obs = observerServer;
  return {
    domains: domains.map((d) => d.name),
    observerJid: `${user}@${OBSERVER_DOMAIN}`,
    observerPassword: password,
    observerServer: obs,
    async close() {
      await Promise.all([...endpoints.map((e) => e.close()), ...webs.map((w) => w.close()), obs.close()]);
    },
  };
}

const DISCO_INFO = 'http://jabber.org/protocol/disco#info';
const DISCO_ITEMS = 'http://jabber.org/protocol/disco#items';
const VERSION = 'jabber:iq:version';

/** What the remote entity `iq.to` would answer, routed over s2s by the observer's server. */
export function routeIq(domains: SimXmppDomain[], iq: RoutedIq): string {
  const to = iq.to.toLowerCase();
  const at = to.indexOf('@');
  const host = at >= 0 ? to.slice(at + 1) : to;
  const d = domains.find((x) => host === x.name || host.endsWith(`.${x.name}`));
  const err = (type: string, condition: string): string => iqError(iq.to, iq.from, iq.id, type, condition);
  if (!d) return err('cancel', host === OBSERVER_DOMAIN ? 'service-unavailable' : 'remote-server-not-found');
  // A server that does not answer on s2s: Prosody reports remote-server-not-found to the sender.
  if (d.down) return err('cancel', 'remote-server-not-found');
  const ok = (body: string): string => iqResult(d.impl, iq.to, iq.from, iq.id, body);
  const muc = d.muc ? `${d.muc.service}.${d.name}` : '';
  const upload = d.upload ? `${d.upload.service}.${d.name}` : '';
  if (to === d.name) {
    if (iq.ns === DISCO_INFO) return ok(domainInfo(d.impl, d.contacts, d.impl === 'openfire' ? d.version : undefined));
    if (iq.ns === VERSION) return ok(versionQuery(d.impl, d.version.name, d.version.version, d.version.os));
    if (iq.ns === DISCO_ITEMS) return ok(domainItems(d.impl, [muc, upload].filter(Boolean)));
    return err('cancel', 'service-unavailable');
  }
  if (to === upload && d.upload) {
    if (iq.ns === DISCO_INFO) return ok(uploadInfo(d.upload.maxFileSize));
    if (iq.ns === DISCO_ITEMS) return ok(domainItems(d.impl, []));
    return err('cancel', 'service-unavailable');
  }
  if (d.muc && to === muc) {
    if (iq.ns === DISCO_INFO) return ok(mucServiceInfo(d.impl, d.contacts));
    if (iq.ns !== DISCO_ITEMS) return err('cancel', 'service-unavailable');
    // Hidden rooms are never listed (Prosody mod_muc.lua, ejabberd mod_muc.erl iq_disco_items, Openfire canDiscoverRoom).
    const listed = d.muc.rooms.filter((r) => r.public);
    const pages = d.impl === 'ejabberd' || d.impl === 'openfire';
    if (!pages || !iq.rsm) return ok(roomItems(d.impl, muc, listed, null));
    const start = iq.rsm.after ? listed.findIndex((r) => `${r.local}@${muc}` === iq.rsm?.after) + 1 : 0;
    const page = listed.slice(start, start + Math.max(1, iq.rsm.max));
    const jid = (r: SimRoom | undefined): string => (r ? `${r.local}@${muc}` : '');
    return ok(roomItems(d.impl, muc, page, { set: rsmSet(jid(page[0]), jid(page.at(-1)), listed.length, start) }));
  }
  if (d.muc && at >= 0 && host === muc) {
    const r = d.muc.rooms.find((x) => x.local === to.slice(0, at));
    if (!r) return err('cancel', 'item-not-found');
    if (iq.ns === DISCO_INFO) return ok(roomInfo(d.impl, r));
    if (iq.ns === DISCO_ITEMS) return ok(domainItems(d.impl, []));
    return err('cancel', 'service-unavailable');
  }
  return err('cancel', 'item-not-found');
}
