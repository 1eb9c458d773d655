/**
 * Service discovery.
 *
 * Spec: XEP-0030 "Service Discovery", https://xmpp.org/extensions/xep-0030.html,
 * version 2.5rc3. disco#info: identities (§3.1), features, and XEP-0128 forms;
 * disco#items (§4) with XEP-0059 result sets.
 */
import { childElement, childElements, type XmlElement } from './xmpp-element.ts';
import { dataFormsIn, type DataForm } from './xep0004-data-forms.ts';
import { NS_RSM, parseRsmSet, type RsmResult } from './xep0059-rsm.ts';

export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
export const NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items';

/** One identity. */
export interface DiscoIdentity {
  category: string;
  type: string;
  name: string;
  lang: string;
}

/** A disco#info result. */
export interface DiscoInfo {
  node: string;
  identities: DiscoIdentity[];
  /** Feature vars, de-duplicated, in order. */
  features: string[];
  forms: DataForm[];
}

/** One disco#items item. */
export interface DiscoItem {
  jid: string;
  node: string;
  name: string;
}

/** A disco#items result, with the RSM page info when the server sent one. */
export interface DiscoItems {
  node: string;
  items: DiscoItem[];
  rsm: RsmResult | null;
}

const MAX_FEATURES = 1000;
const MAX_IDENTITIES = 100;
/** Most items kept from one reply: a huge room list is cut, not buffered forever. */
export const MAX_DISCO_ITEMS = 10_000;

/** Parse `<query xmlns='…disco#info'/>`. */
export function parseDiscoInfo(query: XmlElement): DiscoInfo {
  const features = [...new Set(childElements(query, 'feature').map((f) => f.attrs.var ?? '').filter(Boolean))].slice(0, MAX_FEATURES);
  return {
    node: query.attrs.node ?? '',
    identities: childElements(query, 'identity')
      .slice(0, MAX_IDENTITIES)
      .map((i) => ({ category: i.attrs.category ?? '', type: i.attrs.type ?? '', name: (i.attrs.name ?? '').slice(0, 200), lang: i.attrs['xml:lang'] ?? '' })),
    features,
    forms: dataFormsIn(query),
  };
}

/** Parse `<query xmlns='…disco#items'/>`. */
export function parseDiscoItems(query: XmlElement): DiscoItems {
  const set = childElement(query, 'set', NS_RSM);
  return {
    node: query.attrs.node ?? '',
    items: childElements(query, 'item')
      .slice(0, MAX_DISCO_ITEMS)
      .map((i) => ({ jid: i.attrs.jid ?? '', node: i.attrs.node ?? '', name: (i.attrs.name ?? '').slice(0, 200) }))
      .filter((i) => i.jid !== ''),
    rsm: set ? parseRsmSet(set) : null,
  };
}

/** True when an identity of this category (and type, when given) is present. */
export const hasIdentity = (info: DiscoInfo, category: string, type?: string): boolean =>
  info.identities.some((i) => i.category === category && (type === undefined || i.type === type));
