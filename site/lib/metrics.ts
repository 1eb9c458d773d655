/**
 * What each network metric means, where it comes from, and how it is
 * computed from a {@link NetworkSnapshot}: one table used by the overview
 * cards, the charts and the data-sources page, so labels and definitions
 * never drift apart.
 */
import type { NetworkSnapshot } from '../../db/queries/stats/get-network-totals.ts';
import type { NetworkMetric } from './params.ts';

type Counts = Omit<NetworkSnapshot, 'bucket' | 'firstAt' | 'lastAt'>;
type CountKey = keyof Counts;

/** One metric's definition. */
export interface MetricDef {
  key: NetworkMetric;
  label: string;
  /** Numerator column. */
  part: CountKey;
  /** Denominator column for a share, or null for a plain count. */
  of: CountKey | null;
  /** One sentence: what is counted, over which servers. */
  describe: string;
  /** The probe step(s) the fact comes from. */
  source: string;
  /** Which direction is good news, for the colour of the change; null when neither is. */
  better: 'up' | 'down' | null;
}

/** The metric table, in the order the overview shows it. */
export const METRICS: readonly MetricDef[] = [
  { key: 'servers', better: 'up', label: 'Servers probed', part: 'probed', of: null, describe: 'Distinct servers Chatlas probed that day, reachable or not. A domain with no sign of the protocol (no SRV record or well-known for it, nothing on its ports, never seen answering) is not a server and is not counted.', source: 'every probe pass' },
  { key: 'reachable', better: 'up', label: 'Reachable servers', part: 'reachable', of: null, describe: 'Servers that answered their last probe of the day.', source: 'Matrix federation /version; XMPP c2s stream' },
  { key: 'rooms', better: 'up', label: 'Public rooms', part: 'rooms', of: null, describe: 'Rooms and channels listed in public directories of reachable servers.', source: 'Matrix /publicRooms; XMPP MUC disco#items' },
  { key: 'members', better: 'up', label: 'Members in public rooms', part: 'members', of: null, describe: 'Sum of member counts of those rooms (a person in two rooms counts twice).', source: 'Matrix /publicRooms num_joined_members; XMPP muc#roominfo_occupants' },
  { key: 'open_registration', better: null, label: 'Open registration', part: 'openRegistration', of: 'reachable', describe: 'Reachable servers where anyone can sign up without a token, e-mail or invite.', source: 'Matrix /register flows; XMPP in-band registration (XEP-0077)' },
  { key: 'tls_valid', better: 'up', label: 'Valid TLS certificate', part: 'tlsValid', of: 'tlsObserved', describe: 'Reachable servers whose certificate chain verifies and names the domain.', source: 'TLS handshake of the probe' },
  { key: 'tls_expiring', better: 'down', label: 'Certificate expiring within 14 days', part: 'tlsExpiring', of: 'tlsObserved', describe: 'Valid certificates that expire within 14 days of the probe.', source: 'TLS handshake of the probe' },
  { key: 'dnssec', better: 'up', label: 'DNSSEC signed', part: 'dnssec', of: 'dnssecObserved', describe: 'Reachable servers whose DNS answers were DNSSEC-validated.', source: 'DNS SRV/A/AAAA lookups' },
  { key: 'dane', better: 'up', label: 'DANE (TLSA) published', part: 'dane', of: 'daneObserved', describe: 'Reachable servers publishing TLSA records for their service.', source: 'DNS TLSA lookup' },
  { key: 'ipv6', better: 'up', label: 'Reachable over IPv6', part: 'ipv6', of: 'ipv6Observed', describe: 'Reachable servers with an AAAA record that answers.', source: 'DNS AAAA + connection' },
];

/** The definition of `key`. @throws on a key outside the table. */
export function metricDef(key: NetworkMetric): MetricDef {
  const def = METRICS.find((m) => m.key === key);
  if (!def) throw new TypeError(`unknown metric ${JSON.stringify(key)}`);
  return def;
}

/** The value of a metric on a snapshot: a count, or a share 0-1; null when the share has no denominator. */
export function metricValue(def: MetricDef, s: Counts): number | null {
  if (!def.of) return s[def.part];
  const whole = s[def.of];
  return whole ? s[def.part] / whole : null;
}
