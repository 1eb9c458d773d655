/**
 * New domains from what an XMPP probe saw, pure (PROTOCOLS.md §3.1 step 6).
 *
 * - disco#items of the domain: items without a node and without a localpart
 *   are (sub)domains (search.jabber.network's rule);
 * - MUC room addresses: their domain (the MUC service);
 * - except the probed domain's own subdomains (`conference.example.org` of
 *   `example.org`): those are its components (MUC, upload, proxy), reached
 *   through its s2s and not serving clients, so probing them as servers
 *   would only list them as unreachable servers;
 * - XEP-0157 contact addresses: the domain of `xmpp:` URIs (mail and web
 *   addresses name hosts, not XMPP servers, so they are not followed);
 * Each discovery says where it was found. Bounded and de-duplicated.
 */
import type { Discovery, DiscoveryVia } from '../types.ts';
import { contactDomain } from '../protocol/xep0157-contact.ts';

/** Most discoveries returned per probe. @default 2000 */
export const MAX_XMPP_DISCOVERIES = 2000;

/** What the probe found that may name other domains. */
export interface XmppFrontierInput {
  domain: string;
  foundAt: Date;
  /** JIDs of the domain's disco#items (with their node, '' when none). */
  items?: readonly { jid: string; node: string }[];
  /** Room JIDs listed by MUC services. */
  rooms?: readonly string[];
  /** Contact URIs (XEP-0157). */
  contacts?: readonly string[];
}

/** The domain part of a JID (`local@domain/resource` → `domain`), lower-cased; '' when invalid. */
export function jidDomain(jid: string): string {
  const bare = jid.split('/')[0] ?? '';
  const d = (bare.includes('@') ? bare.slice(bare.indexOf('@') + 1) : bare).toLowerCase().replace(/\.$/, '');
  return /^(?=.{1,253}$)([a-z0-9_-]{1,63}\.)+[a-z0-9-]{1,63}$/.test(d) ? d : '';
}

/** Whether `domain` is a component of `server` (a subdomain of it: its MUC, upload or proxy service). */
export function isOwnComponent(domain: string, server: string): boolean {
  return server !== '' && domain.toLowerCase().endsWith(`.${server.toLowerCase()}`);
}

/** Discoveries from one probe, excluding the probed domain itself. */
export function xmppDiscoveries(input: XmppFrontierInput): Discovery[] {
  const self = input.domain.toLowerCase();
  const seen = new Set<string>([self]);
  const out: Discovery[] = [];
  const add = (domain: string, via: DiscoveryVia): void => {
    if (!domain || seen.has(domain) || isOwnComponent(domain, self) || out.length >= MAX_XMPP_DISCOVERIES) return;
    seen.add(domain);
    out.push({ domain, protocol: 'xmpp', via, sourceDomain: input.domain, foundAt: input.foundAt });
  };
  for (const item of input.items ?? []) {
    if (item.node || item.jid.includes('@')) continue;
    add(jidDomain(item.jid), 'disco-item');
  }
  for (const room of input.rooms ?? []) add(jidDomain(room), 'muc');
  for (const uri of input.contacts ?? []) if (/^xmpp:/i.test(uri)) add(contactDomain(uri), 'contact');
  return out;
}
