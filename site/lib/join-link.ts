/**
 * Join links for the room directory.
 * - Matrix: `https://matrix.to/#/<alias or id>` (matrix.to opens the visitor's
 *   own client; https://github.com/matrix-org/matrix.to#url-scheme).
 * - XMPP: `xmpp:<room JID>?join` (XEP-0147 query action `join`, XEP-0045 §7.1;
 *   RFC 5122 IRI form).
 * Crawled strings are percent-encoded, so an address can never break out of
 * the link or turn into a `javascript:` URL.
 * A local-only room (`federates === false`: Matrix `m.federate: false`) gets
 * no link: only users of its own server can join it, and a visitor of the
 * directory is most likely not one of them.
 */
import type { Protocol } from '../../crawler/types.ts';

/**
 * The link to join a room, or null when the address is unusable or the room
 * is local-only (`federates` false; null or absent: not known, linked).
 */
export function joinLink(protocol: Protocol, address: string, roomId: string, federates: boolean | null = null): string | null {
  if (federates === false) return null;
  if (protocol === 'matrix') {
    // Prefer the alias (#room:server): it survives room upgrades; else the id (!opaque:server).
    const target = /^#[^\s:]+:\S+$/.test(address) ? address : /^![^\s:]+:\S+$/.test(roomId) ? roomId : null;
    if (!target) return null;
    return `https://matrix.to/#/${encodeURIComponent(target).replace(/%3A/gi, ':')}`;
  }
  const jid = /^[^\s@/]+@[^\s@/]+$/.test(address) ? address : /^[^\s@/]+@[^\s@/]+$/.test(roomId) ? roomId : null;
  if (!jid) return null;
  const [local, domain] = jid.split('@') as [string, string];
  return `xmpp:${encodeURIComponent(local)}@${encodeURIComponent(domain)}?join`;
}
