/**
 * XMPP server identification.
 *
 * Three sources, from strong to weak:
 * 1. XEP-0092 `name` (or the XEP-0232 `software` field) → {@link XMPP_RULES}
 *    through the shared `identifySoftware` (unknown names are kept);
 * 2. the XEP-0115 caps `node` of stream features → {@link XMPP_CAPS_NODES}
 *    (PROTOCOLS.md §3.4);
 * 3. pre-auth stream heuristics (PROTOCOLS.md §3.5), low confidence, only when
 *    neither of the above is available.
 * Each row cites the file of that server which produces the string.
 */
import { identifySoftware, type SoftwareId, type SoftwareRule } from './software.ts';
import type { StreamFeatures } from '../protocol/rfc6120-features.ts';

/** XEP-0092 / XEP-0232 software names. Snikket before Prosody (it is a Prosody distribution). */
export const XMPP_RULES: readonly SoftwareRule[] = [
  {
    software: 'snikket',
    name: /^snikket$/i,
    // module:hook jabber:iq:version → :text_tag("name", "Snikket"):text_tag("version", snikket_version)
    source: 'snikket-im/snikket-server snikket-modules/mod_snikket_version/mod_snikket_version.lua',
  },
  {
    software: 'prosody',
    name: /^prosody$/i,
    // :text_tag("name", "Prosody"), version = prosody.version (also the installed 0.12.3
    // /usr/lib/prosody/modules/mod_version.lua line 14; reply captured in tests/fixtures/xep0092).
    source: 'bjc/prosody plugins/mod_version.lua',
  },
  {
    software: 'ejabberd',
    name: /^ejabberd$/i,
    // <name>ejabberd</name>, version ejabberd_option:version() (23.01 replies "23.01-1", captured).
    source: 'processone/ejabberd src/mod_version.erl (process_iq)',
  },
  {
    software: 'openfire',
    name: /^openfire$/i,
    // bodyElement.addElement("name").setText(AdminConsole.getAppName()) — the admin console app name "Openfire".
    source: 'igniterealtime/Openfire xmppserver/src/main/java/org/jivesoftware/openfire/handler/IQVersionHandler.java',
  },
  {
    software: 'tigase',
    // XMPPServer.NAME = "Tigase" (older trees "Tigase 2"), used by the jabber:iq:version plugin.
    name: /^tigase(?:\s+\d+)?(?:\s+xmpp\s+server)?$/i,
    source: 'tigase/tigase-server src/main/java/tigase/server/XMPPServer.java (NAME), src/main/java/tigase/xmpp/impl/JabberIqVersion.java',
  },
  {
    software: 'mongooseim',
    name: /^mongooseim$/i,
    // mongoose_info() -> {<<"MongooseIM">>, Version}
    source: 'esl/MongooseIM src/mod_version.erl (mongoose_info/0)',
  },
  {
    software: 'metronome',
    name: /^metronome$/i,
    // :tag("name"):text("Metronome"):up():tag("version"):text(metronome.version)
    source: 'maranda/metronome plugins/mod_version.lua',
  },
];

/** Caps node URIs (XEP-0115) per server; PROTOCOLS.md §3.4 with its sources. */
export const XMPP_CAPS_NODES: readonly { software: string; node: string; source: string }[] = [
  { software: 'prosody', node: 'http://prosody.im', source: 'bjc/prosody plugins/mod_disco.lua (node = "http://prosody.im"), captured after auth from 0.12.3' },
  { software: 'ejabberd', node: 'https://www.process-one.net/ejabberd/', source: 'processone/ejabberd src/ejabberd_config.erl get_uri/0 (>= 24.12)' },
  { software: 'ejabberd', node: 'http://www.process-one.net/en/ejabberd/', source: 'processone/ejabberd src/ejabberd_config.erl get_uri/0 (<= 24.10), captured after auth from 23.01' },
  { software: 'openfire', node: 'https://www.igniterealtime.org/projects/openfire/', source: 'igniterealtime/Openfire xmppserver/src/main/java/org/jivesoftware/openfire/entitycaps/EntityCapabilitiesManager.java' },
  { software: 'tigase', node: 'https://tigase.net/tigase-xmpp-server', source: 'tigase/tigase-server src/main/java/tigase/xmpp/impl/PresenceCapabilitiesManager.java' },
];

/** How an identification was reached. */
export type XmppIdentifiedBy = 'version' | 'software-info' | 'caps' | 'heuristic' | 'none';

/** Identification result with its basis. */
export interface XmppIdentification extends SoftwareId {
  by: XmppIdentifiedBy;
  /** `high` for self-reported names, `medium` for caps nodes, `low` for heuristics. */
  confidence: 'high' | 'medium' | 'low' | 'none';
}

/** What the probe observed that can identify a server. */
export interface XmppIdentityEvidence {
  version?: { name: string; version: string } | null;
  softwareInfo?: { software: string; softwareVersion: string } | null;
  /** Caps nodes seen in any stream features. */
  capsNodes?: readonly string[];
  /** Pre-auth stream facts for the heuristics. */
  stream?: { id: string; features: StreamFeatures | null } | null;
}

/** Identify the server from the strongest evidence available. */
export function identifyXmpp(e: XmppIdentityEvidence): XmppIdentification {
  if (e.version && e.version.name.trim()) {
    return { ...identifySoftware(e.version.name, e.version.version, XMPP_RULES), by: 'version', confidence: 'high' };
  }
  if (e.softwareInfo && e.softwareInfo.software.trim()) {
    return { ...identifySoftware(e.softwareInfo.software, e.softwareInfo.softwareVersion, XMPP_RULES), by: 'software-info', confidence: 'high' };
  }
  for (const node of e.capsNodes ?? []) {
    const row = XMPP_CAPS_NODES.find((r) => r.node === node.trim());
    if (row) return { ...identifySoftware(row.software, '', XMPP_RULES), nameRaw: '', by: 'caps', confidence: 'medium' };
  }
  const guess = e.stream ? streamHeuristic(e.stream.id, e.stream.features) : null;
  if (guess) return { ...identifySoftware(guess, '', XMPP_RULES), nameRaw: '', by: 'heuristic', confidence: 'low' };
  return { ...identifySoftware('', '', XMPP_RULES), by: 'none', confidence: 'none' };
}

/**
 * PROTOCOLS.md §3.5, low confidence. Only signals checked against real bytes
 * or the servers' code are used:
 * - Prosody's stream id is a UUID v4 (`mod_c2s.lua`, captured from 0.12.3);
 * - ejabberd 23.01's is a decimal number of up to 20 digits (captured);
 * - Openfire's is base-36, at most 10 characters (`BasicStreamIDFactory.java`),
 *   and it alone sends caps before authentication.
 */
export function streamHeuristic(id: string, features: StreamFeatures | null): string | null {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id)) return 'prosody';
  if (/^\d{15,20}$/.test(id)) return 'ejabberd';
  if (features?.caps && /^[0-9a-z]{1,10}$/.test(id)) return 'openfire';
  return null;
}
