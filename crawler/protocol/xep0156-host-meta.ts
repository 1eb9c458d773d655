/**
 * Alternative connection methods from host-meta.
 *
 * Spec: XEP-0156 "Discovering Alternative XMPP Connection Methods",
 * https://xmpp.org/extensions/xep-0156.html, version 1.4.0: `/.well-known/host-meta`
 * (XRD, RFC 6415, namespace `http://docs.oasis-open.org/ns/xri/xrd-1.0`) and
 * `/.well-known/host-meta.json` (JRD, RFC 7033). Rels
 * `urn:xmpp:alt-connections:websocket|xbosh|httppoll`.
 * XEP-0487 "Host Meta 2 - One Method To Rule Them All" 0.1.0 adds rels
 * `urn:xmpp:alt-connections:{tls,quic,s2s-websocket,s2s-tls,s2s-quic}` with
 * `ips`, `sni`, `priority`, `weight`, `port` on a link and a top-level `xmpp`
 * object (`ttl`, `public-key-pins-sha-256`).
 *
 * Pure: the text is fetched (bounded) by net/http.ts.
 */
import { z } from 'zod';
import { ProbeError } from '../errors.ts';
import { parseXmlDocument } from './restricted-xml.ts';
import { childElements } from './xmpp-element.ts';

export const NS_XRD = 'http://docs.oasis-open.org/ns/xri/xrd-1.0';
export const REL_PREFIX = 'urn:xmpp:alt-connections:';

/** One link with an `urn:xmpp:alt-connections:*` rel. */
export interface AltConnection {
  /** The rel without the prefix: `websocket`, `xbosh`, `tls`, `s2s-tls`, … */
  method: string;
  href: string;
  ips: string[];
  sni: string;
  port: number | null;
  priority: number | null;
  weight: number | null;
}

/** What a host-meta document offers. */
export interface HostMeta {
  links: AltConnection[];
  /** XEP-0487 top-level object; when present, SRV lookups SHOULD be skipped. */
  xmpp: { ttl: number | null; pins: string[] } | null;
}

const MAX_LINKS = 50;
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff ? v : null);

/** Parse host-meta XRD text. */
export function parseHostMetaXml(text: string): HostMeta | ProbeError {
  const root = parseXmlDocument(text, { maxBytes: 256 * 1024, maxDepth: 8 });
  if (root instanceof ProbeError) return root;
  if (root.local !== 'XRD' || root.ns !== NS_XRD) return new ProbeError('xml.malformed', `host-meta root is <${root.name}> in ${JSON.stringify(root.ns)}, expected XRD`);
  const links: AltConnection[] = [];
  for (const l of childElements(root, 'Link', NS_XRD).slice(0, MAX_LINKS * 4)) {
    const rel = l.attrs.rel ?? '';
    if (!rel.startsWith(REL_PREFIX) || !l.attrs.href) continue;
    links.push({ method: rel.slice(REL_PREFIX.length), href: l.attrs.href.slice(0, 2000), ips: [], sni: '', port: null, priority: null, weight: null });
    if (links.length >= MAX_LINKS) break;
  }
  return { links, xmpp: null };
}

const jrdLink = z.object({
  rel: z.string(),
  href: z.string().max(2000).optional(),
  ips: z.array(z.string().max(64)).max(32).optional(),
  sni: z.string().max(253).optional(),
  port: z.unknown().optional(),
  priority: z.unknown().optional(),
  weight: z.unknown().optional(),
}).loose();
const jrd = z.object({
  links: z.array(z.unknown()).max(1000).optional(),
  xmpp: z.object({ ttl: z.unknown().optional(), 'public-key-pins-sha-256': z.array(z.string().max(128)).max(32).optional() }).loose().optional(),
}).loose();

/** Parse host-meta.json (JRD) text. */
export function parseHostMetaJson(text: string): HostMeta | ProbeError {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return new ProbeError('json.invalid', `host-meta.json is not JSON: ${(error as Error).message}`);
  }
  const parsed = jrd.safeParse(data);
  if (!parsed.success) return new ProbeError('json.schema', `host-meta.json: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const links: AltConnection[] = [];
  for (const raw of parsed.data.links ?? []) {
    // One bad link does not void the others.
    const l = jrdLink.safeParse(raw);
    if (!l.success || !l.data.rel.startsWith(REL_PREFIX)) continue;
    const d = l.data;
    links.push({
      method: d.rel.slice(REL_PREFIX.length),
      href: d.href ?? '',
      ips: d.ips ?? [],
      sni: d.sni ?? '',
      port: int(d.port),
      priority: int(d.priority),
      weight: int(d.weight),
    });
    if (links.length >= MAX_LINKS) break;
  }
  const x = parsed.data.xmpp;
  return { links, xmpp: x ? { ttl: int(x.ttl), pins: x['public-key-pins-sha-256'] ?? [] } : null };
}
