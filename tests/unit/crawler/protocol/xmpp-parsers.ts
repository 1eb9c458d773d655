/**
 * Fixture adapters for the XMPP spec folders (registered in parsers.ts).
 * Inputs are the bytes a real server sent, as captured by
 * tests/harness/xmpp-capture.ts: a stream transcript (header + features) or
 * one `<iq/>` reply. Each adapter runs the restricted parser first, as the
 * probe does, then the spec parser.
 */
import { ProbeError } from '../../../../crawler/errors.ts';
import { XmppStreamParser, parseXmlDocument } from '../../../../crawler/protocol/restricted-xml.ts';
import { isFeatures, parseStreamFeatures, parseStreamHeader, type StreamFeatures } from '../../../../crawler/protocol/rfc6120-features.ts';
import { decideXmppRegistration, invitationFeature } from '../../../../crawler/protocol/xep0445-ibr-token.ts';
import { parseIqReply } from '../../../../crawler/protocol/xmpp-iq.ts';
import { NS_DISCO_INFO, NS_DISCO_ITEMS, parseDiscoInfo, parseDiscoItems } from '../../../../crawler/protocol/xep0030-disco.ts';
import { isListableRoom, mucServiceKind, parseRoomInfo } from '../../../../crawler/protocol/xep0045-muc.ts';
import { parseVersion } from '../../../../crawler/protocol/xep0092-version.ts';
import { parseRegisterForm } from '../../../../crawler/protocol/xep0077-register.ts';
import { contactAddresses, contactDomain } from '../../../../crawler/protocol/xep0157-contact.ts';
import { softwareInfo } from '../../../../crawler/protocol/xep0232-software-info.ts';
import { parseHostMetaJson, parseHostMetaXml } from '../../../../crawler/protocol/xep0156-host-meta.ts';
import { identifyXmpp, streamHeuristic } from '../../../../crawler/identify/xmpp-rules.ts';
import type { XmlElement } from '../../../../crawler/protocol/xmpp-element.ts';

type FixtureParser = (input: string) => unknown;

/** Stream transcript → header + first features, fed in 16-byte slices to exercise the incremental mode. */
function streamFeatures(input: string): unknown {
  const p = new XmppStreamParser();
  const bytes = Buffer.from(input);
  let header: XmlElement | null = null;
  for (let i = 0; i < bytes.length; i += 16) {
    const r = p.push(bytes.subarray(i, i + 16));
    if (r instanceof ProbeError) return r;
    header ??= r.header;
    const f = r.stanzas.find(isFeatures);
    if (f && header) {
      const features = parseStreamFeatures(f);
      const h = parseStreamHeader(header, p.contentNamespace);
      return { header: h, features, heuristic: streamHeuristic(h.id, features) };
    }
  }
  return new ProbeError('xml.malformed', 'no features in transcript');
}

/** One `<iq/>` → its payload, or `{ stanzaError }`. */
function iqPayload(input: string): XmlElement | ProbeError | { stanzaError: unknown } {
  const iq = parseXmlDocument(input);
  if (iq instanceof ProbeError) return iq;
  const reply = parseIqReply(iq);
  if (!reply.ok) return { stanzaError: reply.error };
  return reply.payload ?? new ProbeError('xml.malformed', 'empty result');
}

const withPayload = (f: (q: XmlElement) => unknown): FixtureParser => (input) => {
  const q = iqPayload(input);
  return q instanceof ProbeError || 'stanzaError' in q ? q : f(q);
};

export const XMPP_PARSERS: Record<string, FixtureParser> = {
  'rfc6120-features': streamFeatures,
  'xep0030-disco': withPayload((q) => {
    if (q.ns === NS_DISCO_INFO) {
      const info = parseDiscoInfo(q);
      return { info, mucService: mucServiceKind(info), softwareInfo: softwareInfo(info.forms) };
    }
    if (q.ns === NS_DISCO_ITEMS) return { items: parseDiscoItems(q) };
    return new ProbeError('xml.malformed', `not a disco query: ${q.ns}`);
  }),
  'xep0045-muc': withPayload((q) => {
    const room = parseRoomInfo(parseDiscoInfo(q));
    return { room, listable: isListableRoom(room) };
  }),
  'xep0092-version': withPayload((q) => {
    const v = parseVersion(q);
    return { version: v, identified: identifyXmpp({ version: v }) };
  }),
  'xep0077-register': withPayload(parseRegisterForm),
  // Features after TLS → the invitation feature and the registration mode a probe without a form concludes.
  'xep0445-ibr-token': (input) => {
    const r = streamFeatures(input);
    if (r instanceof ProbeError) return r;
    const { features } = r as { features: StreamFeatures };
    return { invitation: invitationFeature(features), registration: decideXmppRegistration({ postTls: features, form: null, formAsked: false, last: null }) };
  },
  // Body of /.well-known/host-meta (XRD) or host-meta.json (JRD), told apart by the first character.
  'xep0156-host-meta': (input) => (input.trimStart().startsWith('{') ? parseHostMetaJson(input) : parseHostMetaXml(input)),
  'xep0157-contact': withPayload((q) => {
    const contacts = contactAddresses(parseDiscoInfo(q).forms);
    return { contacts, domains: [...new Set(Object.values(contacts).flat().map(contactDomain))] };
  }),
};
