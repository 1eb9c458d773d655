/**
 * Kinds of fact: what one probe step measures, so each kind can be re-measured
 * at its own cadence (crawler/policy/cadence.ts) instead of everything every
 * hour. A probe is told which kinds are due, runs only their steps, and lists
 * the kinds it measured in its snapshot (`ServerSnapshot.measured`); the store
 * carries the fields of the other kinds forward from the last good snapshot
 * (db/queries/observations/insert-probe-results.ts), and the server page reads
 * the last observation of each kind (db/queries/servers/get-server-observations.ts).
 * This file is the one table both sides read: which step and which snapshot
 * field belong to which kind.
 */
import type { Protocol, ServerSnapshot } from './types.ts';

/**
 * - `liveness`: is it up, what software and version, the TLS of that connection
 *   (Matrix federation `/version`; XMPP c2s and s2s streams, disco#info and version through the observer);
 * - `setup`: registration mode as login flows and auth metadata show it, TLS and DNS health (IPv4/IPv6,
 *   DANE), well-knowns, server keys, client API versions, host-meta and the provider file;
 * - `rooms`: room directories and room details (Matrix `publicRooms` and space hierarchies, XMPP MUC disco);
 * - `register`: the one request that asks how to sign up (Matrix's empty `POST /register`, XMPP's
 *   in-band registration form `get`).
 */
export const FACT_KINDS = ['liveness', 'setup', 'rooms', 'register'] as const;
export type FactKind = (typeof FACT_KINDS)[number];

const KINDS: ReadonlySet<string> = new Set(FACT_KINDS);

/** True for a string of the closed {@link FactKind} union (a stored value). */
export function isFactKind(value: string): value is FactKind {
  return KINDS.has(value);
}

/**
 * The kinds a stored snapshot measured. Snapshots written before kinds were
 * stored (an empty list) measured everything, as every probe did then;
 * unknown strings are dropped.
 */
export function parseMeasured(stored: readonly string[]): FactKind[] {
  if (stored.length === 0) return [...FACT_KINDS];
  return FACT_KINDS.filter((k) => stored.includes(k));
}

/** Step names by kind; a step not listed is `liveness`. Prefixes end with `.` or `-`. */
const STEP_KINDS: Record<Exclude<FactKind, 'liveness'>, readonly string[]> = {
  setup: [
    'matrix.well-known-client', 'matrix.well-known-support', 'matrix.server-keys', 'matrix.client-versions',
    'matrix.login-flows', 'matrix.auth-metadata', 'matrix.user-count', 'net.ipv4', 'net.ipv6',
    'dns.a', 'dns.aaaa', 'dns.tlsa', 'xmpp.host-meta', 'xmpp.host-meta-json', 'xmpp.provider-file',
  ],
  rooms: [
    'matrix.public-rooms', 'matrix.space-hierarchy', 'matrix.federation-public-rooms', 'matrix.federation-space-hierarchy', 'matrix.alias-servers',
    'xmpp.disco-items', 'xmpp.service-info', 'xmpp.muc-rooms', 'xmpp.room-info',
  ],
  register: ['matrix.register-probe', 'xmpp.register-form'],
};

const BY_STEP = new Map<string, FactKind>(
  (Object.entries(STEP_KINDS) as [FactKind, readonly string[]][]).flatMap(([kind, steps]) => steps.map((s) => [s, kind] as const)),
);

/** The kind a probe step measures (`matrix.public-rooms` → `rooms`); unknown steps are `liveness`. */
export function kindOfStep(step: string): FactKind {
  return BY_STEP.get(step) ?? 'liveness';
}

/** A snapshot field that a kind other than `liveness` decides, and so may be carried forward. */
export type CarriedField = keyof Pick<ServerSnapshot,
  'features' | 'specVersions' | 'ipv4' | 'ipv6' | 'dane' | 'users' | 'publicRooms' | 'publicMembers' | 'directory' | 'registration' | 'offer' | 'uploadMaxBytes'>;

/**
 * Which snapshot fields each kind decides, per protocol; every other field is
 * `liveness` (measured by every probe). A snapshot that did not measure a kind
 * gets these fields from the server's last good snapshot.
 * XMPP's registration is liveness: the stream features show it every hour
 * (advertised or closed), the weekly form only refines it (the probe keeps the
 * refinement, crawler/probe/xmpp.ts). Matrix's comes from the weekly request,
 * or from the auth metadata of `setup` (the probe then lists `register` as measured).
 * `offer` (crawler/offer.ts) is carried part by part: its provider file and
 * support well-known parts are `setup`, its XMPP contact addresses come through
 * the observer with every probe (`liveness`), so a row that skipped setup keeps
 * its own contacts (db/carry-forward.ts). XMPP's upload limit comes from the
 * service walk (`xmpp.service-info`: `rooms`).
 */
export const CARRIED_FIELDS: Record<Protocol, Record<Exclude<FactKind, 'liveness'>, readonly CarriedField[]>> = {
  matrix: {
    setup: ['features', 'specVersions', 'ipv4', 'ipv6', 'users', 'offer'],
    rooms: ['publicRooms', 'publicMembers', 'directory'],
    register: ['registration'],
  },
  xmpp: {
    setup: ['ipv4', 'ipv6', 'dane', 'offer'],
    rooms: ['publicRooms', 'publicMembers', 'uploadMaxBytes'],
    register: [],
  },
};

/**
 * Kinds a probe must also run for the due ones to be measurable: the room walk
 * and the registration request need the client API origin and the login flows
 * that `setup` finds. Both are daily, so the closure costs nothing on most days.
 */
export function withPrerequisites(due: readonly FactKind[]): FactKind[] {
  const set = new Set<FactKind>(['liveness', ...due]);
  if (set.has('rooms') || set.has('register')) set.add('setup');
  return FACT_KINDS.filter((k) => set.has(k));
}
