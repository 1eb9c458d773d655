/**
 * Software version.
 *
 * Spec: XEP-0092 "Software Version", https://xmpp.org/extensions/xep-0092.html,
 * version 1.1. The reply names software, version and optionally OS; all free text.
 */
import { childText, type XmlElement } from './xmpp-element.ts';

export const NS_VERSION = 'jabber:iq:version';

/** The three strings as reported (trimmed, cut to 200 characters). */
export interface SoftwareVersion {
  name: string;
  version: string;
  os: string;
}

/** Parse `<query xmlns='jabber:iq:version'/>`. */
export function parseVersion(query: XmlElement): SoftwareVersion {
  const cut = (s: string): string => s.slice(0, 200);
  return { name: cut(childText(query, 'name')), version: cut(childText(query, 'version')), os: cut(childText(query, 'os')) };
}
