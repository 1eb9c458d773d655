/**
 * Result set management (paging of disco#items room lists).
 *
 * Spec: XEP-0059 "Result Set Management", https://xmpp.org/extensions/xep-0059.html,
 * version 1.0.
 */
import { childElement, childText, escapeXml, type XmlElement } from './xmpp-element.ts';

export const NS_RSM = 'http://jabber.org/protocol/rsm';

/** The page info a server returns. */
export interface RsmResult {
  first: string;
  last: string;
  /** Total item count when the server says, else null. */
  count: number | null;
}

/** Parse a `<set xmlns='http://jabber.org/protocol/rsm'/>` of a result. */
export function parseRsmSet(set: XmlElement): RsmResult {
  const count = childText(set, 'count');
  return {
    first: childText(set, 'first'),
    last: childText(set, 'last'),
    count: /^\d{1,9}$/.test(count) ? Number(count) : null,
  };
}

/** A request `<set/>` asking for `max` items after `after` (XEP-0059 §2.2). */
export function rsmRequest(max: number, after = ''): string {
  const a = after ? `<after>${escapeXml(after)}</after>` : '';
  return `<set xmlns='${NS_RSM}'><max>${Math.max(1, Math.floor(max))}</max>${a}</set>`;
}

/** True when a `<set/>` child is present under `el`. */
export const hasRsm = (el: XmlElement): boolean => childElement(el, 'set', NS_RSM) !== undefined;
