/**
 * Entries of the guide for unit tests: facts of the GuideFacts contract
 * (db/queries/guide/guide-facts.ts), every field chosen here, graded by the
 * guide itself (guide/query.ts buildEntries) at {@link NOW}. The store's side
 * (what listGuideFacts reads from rows the real writer wrote) is tested in
 * tests/integration/db/guide and tests/integration/api/guide.test.ts.
 */
import { UNKNOWN_OFFER, type Protocol } from '../../../crawler/types.ts';
import type { GuideFacts } from '../../../db/queries/guide/guide-facts.ts';
import { buildEntries, type GuideEntry } from '../../../guide/query.ts';

/** The clock of these entries. */
export const NOW = new Date('2026-12-01T12:00:00Z');
/** ISO time `days` before {@link NOW} (negative: after). */
export const ago = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

/** An up server of `protocol` with every fact known and good; override any. */
export function facts(protocol: Protocol, over: Partial<GuideFacts> = {}): GuideFacts {
  return {
    protocol, domain: `${protocol}.example`, status: 'ok', observedAt: ago(0.1), lastOkAt: ago(0.1), firstSeenAt: ago(400),
    software: protocol === 'xmpp' ? 'prosody' : 'synapse', version: '1.2.0', supersededOn: null, latestVersion: '1.2.0',
    registration: 'open', features: [], tlsValid: true, tlsExpiresAt: ago(-60), ipv4: true, ipv6: true,
    dnssec: protocol === 'xmpp' ? true : null, dane: protocol === 'xmpp' ? false : null, publicRooms: 3, publicMembers: 40,
    uploadMaxBytes: protocol === 'xmpp' ? 104_857_600 : null, offer: UNKNOWN_OFFER,
    uptime30: { ok: 718, probes: 720, days: 30 }, uptime90: { ok: 2150, probes: 2160, days: 90 }, adminNote: null,
    measuredAt: { liveness: ago(0.1), setup: ago(0.5), rooms: ago(0.7), register: ago(3) },
    ...over,
  };
}

/** One graded entry. */
export const entry = (f: GuideFacts): GuideEntry => buildEntries([f], NOW)[0]!;
