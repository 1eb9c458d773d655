/**
 * What the simulated XMPP servers say, in the shapes real servers send
 * (TEST, DEMO AND BENCH ONLY).
 *
 * Sources, per implementation:
 * - Prosody 0.12.3 and ejabberd 23.01: every template here reproduces, byte for
 *   byte, a capture from the real Debian package (tests/fixtures/rfc6120-features,
 *   xep0030-disco, xep0045-muc, xep0077-register, xep0092-version, xep0157-contact;
 *   SOURCE.md in each says how). tests/integration/crawler/xmpp/sim-federation.test.ts
 *   renders each template with the captured values and compares it with the
 *   fixture file, so a template that drifts from the real bytes fails.
 * - Prosody's upload component: not captured; built after the installed
 *   /usr/lib/prosody/modules/mod_http_file_share.lua (identity store/file
 *   "HTTP File Upload", feature urn:xmpp:http:upload:0, a result form with
 *   max-file-size, default 10 MiB) and util/dataforms.lua (no <validate/> in
 *   result forms).
 * - Snikket: Prosody underneath (the stream and disco bytes are Prosody's); its
 *   version reply has only name and version
 *   (snikket-im/snikket-server snikket-modules/mod_snikket_version/mod_snikket_version.lua).
 *   Sign-up is by invitation only (mod_invites_register, registration_invite_only): its c2s
 *   features after TLS and its register form are the ones captured from Prosody 0.12.3 with
 *   that module (tests/fixtures/xep0445-ibr-token, xep0077-register/prosody-0.12.3-invite-only).
 * - Openfire: not captured (no Debian package); composed from its source and
 *   serialised as dom4j does (double quotes): jabber:iq:version name/os/version
 *   with os "Java <java.version>" (xmppserver/.../handler/IQVersionHandler.java),
 *   caps node https://www.igniterealtime.org/projects/openfire/ before and after
 *   auth (entitycaps/EntityCapabilitiesManager.java, session/LocalClientSession.java),
 *   stream limits since 4.8.0 (PROTOCOLS.md §3.5), base-36 stream ids
 *   (spi/BasicStreamIDFactory.java), extended disco forms merged into the
 *   server's disco#info (handler/IQDiscoInfoHandler.java).
 */

/** XML text escaping for attribute values and text. */
export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');

export type SimImpl = 'prosody' | 'snikket' | 'ejabberd' | 'openfire';

/** The seven XEP-0157 address kinds, in the order Prosody's mod_server_contact_info sends them. */
export const CONTACT_KINDS = ['abuse', 'admin', 'feedback', 'sales', 'security', 'status', 'support'] as const;
export type Contacts = Partial<Record<(typeof CONTACT_KINDS)[number], string[]>>;

/** One MUC room as its server describes it. */
export interface SimRoom {
  /** Local part of the room JID. */
  local: string;
  name: string;
  description: string;
  occupants: number;
  lang: string;
  public: boolean;
  persistent: boolean;
  open: boolean;
  password: boolean;
}

// ---------------------------------------------------------------- envelopes

/** `<iq type='result'>` around `body`, attribute order as each server writes it. */
export function iqResult(impl: SimImpl, from: string, to: string, id: string, body: string): string {
  if (impl === 'ejabberd') return `<iq xml:lang='en' to='${esc(to)}' from='${esc(from)}' type='result' id='${esc(id)}'>${body}</iq>`;
  if (impl === 'openfire') return `<iq type="result" id="${esc(id)}" from="${esc(from)}" to="${esc(to)}">${body}</iq>`;
  return `<iq from='${esc(from)}' to='${esc(to)}' type='result' id='${esc(id)}'>${body}</iq>`;
}

/** A stanza error (RFC 6120 §8.3), as the observer's server sends it on behalf of `from`. */
export function iqError(from: string, to: string, id: string, type: string, condition: string): string {
  return `<iq type='error' from='${esc(from)}' to='${esc(to)}' id='${esc(id)}'><error type='${type}'><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`;
}

// ---------------------------------------------------------------- streams

/** Stream scripts (header + features) for one simulated domain. */
export interface StreamScripts {
  c2s: { preTls: string; postTls: string; register?: string };
  s2s: { preTls: string; postTls: string };
}

/** Captured bytes with the capture's domain replaced; s2s `to='capture.test'` dropped (our probe sends no `from`). */
export function replayScripts(impl: SimImpl, domain: string, fixture: (path: string) => string): StreamScripts {
  if (impl === 'openfire') return openfireScripts(domain);
  const [tag, captured] = impl === 'ejabberd' ? ['ejabberd-23.01', 'ejabberd.test'] : ['prosody-0.12.3', 'prosody.test'];
  const f = (p: string): string => fixture(p).split(captured).join(domain).replace(" to='capture.test'", '').trimEnd();
  // Snikket's invitation-only host was captured as invite.prosody.test.
  const invite = (p: string): string => fixture(p).split('invite.prosody.test').join(domain).trimEnd();
  return {
    c2s: {
      preTls: f(`rfc6120-features/${tag}-c2s-pre-tls.input.xml`),
      postTls: impl === 'snikket' ? invite('xep0445-ibr-token/prosody-0.12.3-invite-only-c2s-post-tls.input.xml') : f(`rfc6120-features/${tag}-c2s-post-tls.input.xml`),
      register: impl === 'ejabberd' ? f('xep0077-register/ejabberd-23.01-loopback-trusted.input.xml')
        : impl === 'snikket' ? invite('xep0077-register/prosody-0.12.3-invite-only.input.xml') : undefined,
    },
    s2s: { preTls: f(`rfc6120-features/${tag}-s2s-pre-tls.input.xml`), postTls: f(`rfc6120-features/${tag}-s2s-post-tls.input.xml`) },
  };
}

const OPENFIRE_CAPS = `<c xmlns="http://jabber.org/protocol/caps" hash="sha-1" node="https://www.igniterealtime.org/projects/openfire/" ver="k2MbPk9Rz5bJZ5VqyfAbYHXwlqU="/>`;

function openfireScripts(domain: string): StreamScripts {
  const header = (ns: string, id: string): string =>
    `<?xml version='1.0' encoding='UTF-8'?><stream:stream xmlns:stream="http://etherx.jabber.org/streams" xmlns="${ns}"${ns === 'jabber:server' ? ' xmlns:db="jabber:server:dialback"' : ''} from="${esc(domain)}" id="${id}" xml:lang="en" version="1.0">`;
  const limits = '<limits xmlns="urn:xmpp:stream-limits:0"><max-bytes>1048576</max-bytes><idle-seconds>360</idle-seconds></limits>';
  return {
    c2s: {
      preTls: `${header('jabber:client', '5vg0kq3x1e')}<stream:features><starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"><required/></starttls>${limits}${OPENFIRE_CAPS}</stream:features>`,
      postTls: `${header('jabber:client', '7ruh2b9q0w')}<stream:features><mechanisms xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><mechanism>PLAIN</mechanism><mechanism>SCRAM-SHA-1</mechanism></mechanisms>${limits}${OPENFIRE_CAPS}</stream:features>`,
    },
    s2s: {
      preTls: `${header('jabber:server', '2k4fz8a1oq')}<stream:features><starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"><required/></starttls><dialback xmlns="urn:xmpp:features:dialback"><errors/></dialback></stream:features>`,
      postTls: `${header('jabber:server', '9x0c3mfl6t')}<stream:features><dialback xmlns="urn:xmpp:features:dialback"><errors/></dialback></stream:features>`,
    },
  };
}

// ---------------------------------------------------------------- disco#info of a domain

const PROSODY_DOMAIN_FEATURES = ['urn:xmpp:ping', 'jabber:iq:last', 'jabber:iq:roster', 'http://jabber.org/protocol/disco#info', 'http://jabber.org/protocol/disco#items', 'msgoffline', 'http://jabber.org/protocol/commands', 'jabber:iq:register', 'jabber:iq:version', 'urn:xmpp:time', 'jabber:iq:time'];
const EJABBERD_DOMAIN_FEATURES = ['http://jabber.org/protocol/commands', 'http://jabber.org/protocol/disco#info', 'http://jabber.org/protocol/disco#items', 'iq', 'jabber:iq:register', 'jabber:iq:version', 'presence', 'urn:xmpp:ping'];

/** Prosody's serverinfo form: all seven kinds, empty ones self-closed (mod_server_contact_info). */
const prosodyContacts = (c: Contacts): string =>
  `<x xmlns='jabber:x:data' type='result'><field type='hidden' var='FORM_TYPE'><value>http://jabber.org/network/serverinfo</value></field>${CONTACT_KINDS.map((k) => {
    const v = c[k] ?? [];
    return v.length ? `<field type='list-multi' var='${k}-addresses'>${v.map((a) => `<value>${esc(a)}</value>`).join('')}</field>` : `<field type='list-multi' var='${k}-addresses'/>`;
  }).join('')}</x>`;

/** ejabberd's serverinfo form: only the kinds configured. */
const ejabberdContacts = (c: Contacts): string =>
  `<x type='result' xmlns='jabber:x:data'><field var='FORM_TYPE' type='hidden'><value>http://jabber.org/network/serverinfo</value></field>${CONTACT_KINDS.filter((k) => (c[k] ?? []).length).map((k) => `<field var='${k}-addresses' type='list-multi'>${(c[k] ?? []).map((a) => `<value>${esc(a)}</value>`).join('')}</field>`).join('')}</x>`;

export function domainInfo(impl: SimImpl, contacts: Contacts, software?: { name: string; version: string; os: string }): string {
  if (impl === 'ejabberd') {
    return `<query xmlns='http://jabber.org/protocol/disco#info'><identity name='ejabberd' type='im' category='server'/>${EJABBERD_DOMAIN_FEATURES.map((f) => `<feature var='${f}'/>`).join('')}${ejabberdContacts(contacts)}</query>`;
  }
  if (impl === 'openfire') {
    const feats = ['http://jabber.org/protocol/caps', 'http://jabber.org/protocol/disco#info', 'http://jabber.org/protocol/disco#items', 'jabber:iq:register', 'jabber:iq:version', 'urn:xmpp:ping', 'vcard-temp'];
    const form = (type: string, fields: [string, string[]][]): string =>
      `<x xmlns="jabber:x:data" type="result"><field var="FORM_TYPE" type="hidden"><value>${type}</value></field>${fields.map(([v, vals]) => `<field var="${v}">${vals.map((x) => `<value>${esc(x)}</value>`).join('')}</field>`).join('')}</x>`;
    const sw = software ? form('urn:xmpp:dataforms:softwareinfo', [['os', [software.os]], ['software', [software.name]], ['software_version', [software.version]]]) : '';
    const info = form('http://jabber.org/network/serverinfo', CONTACT_KINDS.filter((k) => (contacts[k] ?? []).length).map((k) => [`${k}-addresses`, contacts[k] ?? []]));
    return `<query xmlns="http://jabber.org/protocol/disco#info"><identity category="server" name="Openfire Server" type="im"/><identity category="pubsub" type="pep"/>${feats.map((f) => `<feature var="${f}"/>`).join('')}${info}${sw}</query>`;
  }
  return `<query xmlns='http://jabber.org/protocol/disco#info'><identity category='server' type='im' name='Prosody'/>${PROSODY_DOMAIN_FEATURES.map((f) => `<feature var='${f}'/>`).join('')}${prosodyContacts(contacts)}</query>`;
}

// ---------------------------------------------------------------- XEP-0092

export function versionQuery(impl: SimImpl, name: string, version: string, os: string): string {
  if (impl === 'ejabberd') return `<query xmlns='jabber:iq:version'><name>${esc(name)}</name><os>${esc(os)}</os><version>${esc(version)}</version></query>`;
  if (impl === 'openfire') return `<query xmlns="jabber:iq:version"><name>${esc(name)}</name><os>${esc(os)}</os><version>${esc(version)}</version></query>`;
  if (impl === 'snikket') return `<query xmlns='jabber:iq:version'><name>${esc(name)}</name><version>${esc(version)}</version></query>`;
  return `<query xmlns='jabber:iq:version'><name>${esc(name)}</name><version>${esc(version)}</version><os>${esc(os)}</os></query>`;
}

// ---------------------------------------------------------------- disco#items

/** Items without names (Prosody and ejabberd list subdomain components so). */
export function domainItems(impl: SimImpl, jids: string[]): string {
  if (impl === 'openfire') return `<query xmlns="http://jabber.org/protocol/disco#items">${jids.map((j) => `<item jid="${esc(j)}"/>`).join('')}</query>`;
  return `<query xmlns='http://jabber.org/protocol/disco#items'>${jids.map((j) => `<item jid='${esc(j)}'/>`).join('')}</query>`;
}

/**
 * Room items of a MUC service. Prosody: `jid` then `name`, no RSM. ejabberd:
 * `name` with the occupant count then `jid`, RSM `<set/>` when asked (XEP-0059
 * §2.2 shape; not captured). Openfire: double quotes, RSM when asked.
 */
export function roomItems(impl: SimImpl, service: string, rooms: SimRoom[], rsm: { set: string } | null): string {
  if (impl === 'ejabberd') return `<query xmlns='http://jabber.org/protocol/disco#items'>${rooms.map((r) => `<item name='${esc(`${r.name || r.local} (${r.occupants})`)}' jid='${esc(`${r.local}@${service}`)}'/>`).join('')}${rsm?.set ?? ''}</query>`;
  if (impl === 'openfire') return `<query xmlns="http://jabber.org/protocol/disco#items">${rooms.map((r) => `<item jid="${esc(`${r.local}@${service}`)}" name="${esc(r.name)}"/>`).join('')}${rsm?.set ?? ''}</query>`;
  return `<query xmlns='http://jabber.org/protocol/disco#items'>${rooms.map((r) => `<item jid='${esc(`${r.local}@${service}`)}' name='${esc(r.name)}'/>`).join('')}</query>`;
}

/** An RSM `<set/>` for a page (XEP-0059 §2.2). */
export const rsmSet = (first: string, last: string, count: number, index: number): string =>
  `<set xmlns='http://jabber.org/protocol/rsm'>${first ? `<first index='${index}'>${esc(first)}</first><last>${esc(last)}</last>` : ''}<count>${count}</count></set>`;
