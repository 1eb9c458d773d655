/**
 * Stream headers, stream features and stream errors.
 *
 * Spec: RFC 6120 "Extensible Messaging and Presence Protocol (XMPP): Core",
 * §4.7 (stream attributes), §4.9 (stream errors), §5 (STARTTLS), §6 (SASL),
 * https://www.rfc-editor.org/rfc/rfc6120 (March 2011). Feature elements of
 * extensions, each checked against its spec:
 * - XEP-0440 SASL Channel-Binding Type Capability 0.4, `urn:xmpp:sasl-cb:0`
 * - XEP-0388 Extensible SASL Profile (SASL2) 0.4, `urn:xmpp:sasl:2`
 * - XEP-0077 In-Band Registration 2.4, `http://jabber.org/features/iq-register`
 * - XEP-0078 Non-SASL Authentication 2.5 (legacy), `http://jabber.org/features/iq-auth`
 * - XEP-0478 Stream Limits Advertisement 0.2, `urn:xmpp:stream-limits:0`
 * - XEP-0115 Entity Capabilities 1.6, `http://jabber.org/protocol/caps`
 * - XEP-0220 Server Dialback 1.1.2, `urn:xmpp:features:dialback`
 * - XEP-0198 Stream Management 1.6, `urn:xmpp:sm:3`
 *
 * Pure: element trees in, plain facts out. What the facts mean (e.g. that an
 * advertised `register` is not open registration) is decided in probe/.
 */
import { childElement, childElements, childText, textOf, type XmlElement } from './xmpp-element.ts';

export const NS_STREAM = 'http://etherx.jabber.org/streams';
export const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';
export const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
export const NS_STREAM_ERRORS = 'urn:ietf:params:xml:ns:xmpp-streams';
export const NS_SASL_CB = 'urn:xmpp:sasl-cb:0';
export const NS_SASL2 = 'urn:xmpp:sasl:2';
export const NS_REGISTER_FEATURE = 'http://jabber.org/features/iq-register';
export const NS_LEGACY_AUTH_FEATURE = 'http://jabber.org/features/iq-auth';
export const NS_STREAM_LIMITS = 'urn:xmpp:stream-limits:0';
export const NS_CAPS = 'http://jabber.org/protocol/caps';
export const NS_DIALBACK_FEATURE = 'urn:xmpp:features:dialback';
export const NS_BIND = 'urn:ietf:params:xml:ns:xmpp-bind';
export const NS_SM = 'urn:xmpp:sm:3';

/** The attributes of a `<stream:stream>` opening (RFC 6120 §4.7). */
export interface StreamHeader {
  from: string;
  to: string;
  id: string;
  version: string;
  lang: string;
  /** Content namespace: `jabber:client` or `jabber:server` (the default namespace in force). */
  ns: string;
}

/** Read the stream header. `ns` is taken from the caller (saxes resolves the root's own namespace only). */
export function parseStreamHeader(el: XmlElement, contentNs = ''): StreamHeader {
  const a = el.attrs;
  return { from: a.from ?? '', to: a.to ?? '', id: a.id ?? '', version: a.version ?? '', lang: a['xml:lang'] ?? '', ns: contentNs };
}

/** XEP-0115 caps advertised in features. */
export interface CapsFeature {
  node: string;
  ver: string;
  hash: string;
}

/** Everything recognised in one `<stream:features/>`. */
export interface StreamFeatures {
  /** STARTTLS offered; `required` when it carries `<required/>`. */
  starttls: 'required' | 'optional' | null;
  /** SASL mechanisms in server order (-PLUS variants included). */
  mechanisms: string[];
  /** XEP-0440 channel-binding types (`tls-exporter`, `tls-server-end-point`, `tls-unique`). */
  channelBindings: string[];
  /** XEP-0388 SASL2: its mechanisms and the inline features it offers, or null. */
  sasl2: { mechanisms: string[]; inline: string[] } | null;
  /** XEP-0077 feature: registration ADVERTISED (not proof that sign-up is open). */
  register: boolean;
  /** XEP-0078 legacy authentication feature. */
  legacyAuth: boolean;
  /** XEP-0220 dialback feature; `errors` when it announces dialback error support. */
  dialback: { errors: boolean } | null;
  /** XEP-0478 limits, null when not sent; each value null when absent or not a number. */
  limits: { maxBytes: number | null; idleSeconds: number | null } | null;
  caps: CapsFeature | null;
  bind: boolean;
  sm: boolean;
  /** Every feature child as `{namespace}local`, in order: the raw list kept for later analysis. */
  all: string[];
}

const num = (s: string): number | null => (/^\d{1,15}$/.test(s.trim()) ? Number(s.trim()) : null);

/** Parse a `<stream:features/>` element. */
export function parseStreamFeatures(el: XmlElement): StreamFeatures {
  const starttls = childElement(el, 'starttls', NS_TLS);
  const mechanisms = childElements(childElement(el, 'mechanisms', NS_SASL), 'mechanism').map((m) => textOf(m).trim()).filter(Boolean);
  const cb = childElement(el, 'sasl-channel-binding', NS_SASL_CB);
  const sasl2El = childElement(el, 'authentication', NS_SASL2);
  const limitsEl = childElement(el, 'limits', NS_STREAM_LIMITS);
  const capsEl = childElement(el, 'c', NS_CAPS);
  const dialbackEl = childElement(el, 'dialback', NS_DIALBACK_FEATURE);
  return {
    starttls: starttls ? (childElement(starttls, 'required') ? 'required' : 'optional') : null,
    mechanisms,
    channelBindings: childElements(cb, 'channel-binding').map((c) => c.attrs.type ?? '').filter(Boolean),
    sasl2: sasl2El
      ? {
          mechanisms: childElements(sasl2El, 'mechanism').map((m) => textOf(m).trim()).filter(Boolean),
          inline: childElements(childElement(sasl2El, 'inline')).map((c) => `{${c.ns}}${c.local}`),
        }
      : null,
    register: childElement(el, 'register', NS_REGISTER_FEATURE) !== undefined,
    legacyAuth: childElement(el, 'auth', NS_LEGACY_AUTH_FEATURE) !== undefined,
    dialback: dialbackEl ? { errors: childElement(dialbackEl, 'errors') !== undefined } : null,
    limits: limitsEl ? { maxBytes: num(childText(limitsEl, 'max-bytes')), idleSeconds: num(childText(limitsEl, 'idle-seconds')) } : null,
    caps: capsEl ? { node: capsEl.attrs.node ?? '', ver: capsEl.attrs.ver ?? '', hash: capsEl.attrs.hash ?? '' } : null,
    bind: childElement(el, 'bind', NS_BIND) !== undefined,
    sm: childElement(el, 'sm', NS_SM) !== undefined,
    all: childElements(el).map((c) => `{${c.ns}}${c.local}`),
  };
}

/** A stream error (RFC 6120 §4.9): the defined condition and optional text. */
export interface StreamErrorInfo {
  condition: string;
  text: string;
}

/** Parse `<stream:error/>`; condition `undefined-condition` when none is recognisable. */
export function parseStreamError(el: XmlElement): StreamErrorInfo {
  const cond = childElements(el).find((c) => c.ns === NS_STREAM_ERRORS && c.local !== 'text');
  return { condition: cond?.local ?? 'undefined-condition', text: childText(el, 'text', NS_STREAM_ERRORS).slice(0, 500) };
}

/** True for `<stream:features/>`. */
export const isFeatures = (el: XmlElement): boolean => el.local === 'features' && el.ns === NS_STREAM;
/** True for `<stream:error/>`. */
export const isStreamError = (el: XmlElement): boolean => el.local === 'error' && el.ns === NS_STREAM;
