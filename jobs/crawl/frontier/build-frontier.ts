/**
 * The frontier: every (domain, protocol) Chatlas should watch, merged from the
 * seeds, the domains discovered so far and the instance registrations, minus
 * the opted-out. Pure, so the merge rules are unit-tested; `read-frontier.ts`
 * feeds it from the store.
 */
import { PROTOCOLS, type Protocol } from '../../../crawler/types.ts';
import { isOwnComponent } from '../../../crawler/discover/xmpp-frontier.ts';
import { normaliseDomain, type DomainRefusal, type NormaliseOptions } from '../../../crawler/discover/domain-name.ts';
import type { Seed } from './load-seeds.ts';

/** A domain known to the store (the `domains` table). */
export interface KnownDomain {
  domain: string;
  /** Protocols it was found for; empty when not yet known. */
  protocols: string[];
  vias: string[];
  /** Domains whose probes named it; absent when not known. */
  sources?: string[];
}

/** How XMPP components were found: as a server's service item or room address. */
const COMPONENT_VIAS = new Set(['disco-item', 'muc']);

/**
 * Known only as another server's own component (`conference.example.org` found in
 * `example.org`'s service list or room addresses): not a server to probe. The crawler no
 * longer queues these (crawler/discover/xmpp-frontier.ts); this drops the ones stored before.
 */
function onlyAComponent(k: KnownDomain): boolean {
  const sources = k.sources ?? [];
  return k.vias.length > 0 && k.vias.every((v) => COMPONENT_VIAS.has(v)) && sources.length > 0 && sources.every((s) => isOwnComponent(k.domain, s));
}

/** A registration's latest state. */
export interface RegisteredDomain {
  domain: string;
  /** '' when not known. */
  protocol: string;
  /** pending | verified | expired | removed */
  state: string;
}

/** One frontier entry: a domain and the protocols to probe it for. */
export interface FrontierEntry {
  domain: string;
  protocols: Protocol[];
  /** How it is known: `seed`, discovery vias, `registration`. Sorted, unique. */
  vias: string[];
  /** Opted out: never probed until lifted, but kept so its lifecycle is visible. */
  optedOut: boolean;
}

/** A frontier and the names refused on the way. */
export interface Frontier {
  entries: FrontierEntry[];
  refused: Array<{ input: string; reason: DomainRefusal; from: string }>;
}

/** Inputs of {@link buildFrontier}. */
export interface FrontierInputs {
  seeds: Seed[];
  known: KnownDomain[];
  registrations: RegisteredDomain[];
  /** Domains with an active opt-out (normalised or not). */
  optedOut: Iterable<string>;
  normalise?: NormaliseOptions;
}

/**
 * Merge the sources into one entry per domain, sorted by domain.
 * A domain with no known protocol is probed for both: probing is how it becomes known.
 * Registrations in state `removed` do not add a domain (it may still be known otherwise).
 */
export function buildFrontier(inputs: FrontierInputs): Frontier {
  const byDomain = new Map<string, { protocols: Set<Protocol>; vias: Set<string> }>();
  const refused: Frontier['refused'] = [];
  const add = (name: string, protocol: string | null, via: string, from: string) => {
    const p = (PROTOCOLS as readonly string[]).includes(protocol ?? '') ? (protocol as Protocol) : null;
    const n = normaliseDomain(name, { ...inputs.normalise, ...(p ? { protocol: p } : {}) });
    if (!n.ok) {
      refused.push({ input: n.input, reason: n.reason, from });
      return;
    }
    let e = byDomain.get(n.domain);
    if (!e) byDomain.set(n.domain, (e = { protocols: new Set(), vias: new Set() }));
    if (p) e.protocols.add(p);
    e.vias.add(via);
  };
  for (const s of inputs.seeds) add(s.domain, s.protocol, 'seed', 'seeds');
  for (const k of inputs.known) {
    if (onlyAComponent(k)) continue;
    const protocols = k.protocols.filter((p) => (PROTOCOLS as readonly string[]).includes(p));
    if (protocols.length === 0) add(k.domain, null, k.vias[0] ?? 'discovered', 'domains');
    for (const p of protocols) for (const via of k.vias.length ? k.vias : ['discovered']) add(k.domain, p, via, 'domains');
  }
  for (const r of inputs.registrations) {
    if (r.state === 'removed') continue;
    add(r.domain, r.protocol || null, 'registration', 'registrations');
  }
  const opted = new Set<string>();
  for (const d of inputs.optedOut) {
    const n = normaliseDomain(d, { ...inputs.normalise, protocol: 'matrix' });
    opted.add(n.ok ? n.domain : d.toLowerCase());
  }
  const entries: FrontierEntry[] = [];
  for (const [domain, e] of byDomain) {
    // A domain only ever seen without a protocol is tried for both; once one is known, only that one.
    const protocols = e.protocols.size === 0 ? [...PROTOCOLS] : [...e.protocols].sort();
    entries.push({ domain, protocols, vias: [...e.vias].sort(), optedOut: opted.has(domain) });
  }
  entries.sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
  return { entries, refused };
}
