/**
 * IQ stanzas: building the get queries we send and reading the replies.
 *
 * Spec: RFC 6120 "Extensible Messaging and Presence Protocol (XMPP): Core",
 * §8.2.3 (IQ semantics), §8.3 (stanza errors: type and defined condition in
 * `urn:ietf:params:xml:ns:xmpp-stanzas`), https://www.rfc-editor.org/rfc/rfc6120
 * (March 2011). Pure.
 */
import { childElement, childElements, childText, escapeXml, isElement, type XmlElement } from './xmpp-element.ts';

export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

/** A stanza error: its type (`cancel`, `auth`, …) and defined condition. */
export interface StanzaError {
  type: string;
  condition: string;
  text: string;
}

/** The outcome of one IQ: its payload (first child element) or its error. */
export type IqReply = { ok: true; payload: XmlElement | null; from: string } | { ok: false; error: StanzaError; from: string };

/** Parse `<error/>` of a stanza. */
export function parseStanzaError(error: XmlElement | undefined): StanzaError {
  const cond = childElements(error).find((c) => c.ns === NS_STANZAS && c.local !== 'text');
  return { type: error?.attrs.type ?? '', condition: cond?.local ?? 'undefined-condition', text: childText(error, 'text', NS_STANZAS).slice(0, 500) };
}

/** Read an `<iq type='result|error'/>`. */
export function parseIqReply(iq: XmlElement): IqReply {
  const from = iq.attrs.from ?? '';
  if (iq.attrs.type === 'error') return { ok: false, error: parseStanzaError(childElement(iq, 'error')), from };
  const payload = iq.children.find((c): c is XmlElement => isElement(c) && c.local !== 'error') ?? null;
  return { ok: true, payload, from };
}

/** An `<iq type='get'>` carrying `<query xmlns=ns [node]>inner</query>`. `inner` must already be XML. */
export function iqGet(id: string, to: string, ns: string, opts: { node?: string; inner?: string } = {}): string {
  const toAttr = to ? ` to='${escapeXml(to)}'` : '';
  const node = opts.node ? ` node='${escapeXml(opts.node)}'` : '';
  const body = opts.inner ? `>${opts.inner}</query>` : '/>';
  return `<iq type='get' id='${escapeXml(id)}'${toAttr}><query xmlns='${escapeXml(ns)}'${node}${body}</iq>`;
}
