/**
 * Pure mapping from the crawler's values (crawler/types.ts) to table rows.
 * DateTime64 columns take epoch milliseconds; JSON facts are stringified here once.
 */
import { FACT_KINDS, isTlsValid, serializeServerOffer, UNKNOWN_OFFER, type Discovery, type Observation, type Protocol, type RoomSnapshot, type ServerSnapshot } from '../crawler/types.ts';
import { isProbeErrorCode, type ProbeErrorCode } from '../crawler/errors.ts';
import { detectLanguage, type DetectedLanguage } from '../lib/detect-language.ts';

/** Byte cap on a stored raw reply: enough to re-parse any probe step, bounded against hostile servers. */
export const MAX_RAW_BYTES = 64 * 1024;
/** Byte cap on stored free text (room topics, errors). */
export const MAX_TEXT_BYTES = 8 * 1024;

/** Cut a string to at most `bytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(s: string, bytes: number): string {
  if (s.length * 3 <= bytes) return s;
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= bytes) return s;
  let end = bytes;
  // Step back over continuation bytes (10xxxxxx) so the cut falls on a character boundary.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

const seconds = (d: Date | null): number | null => (d ? Math.floor(d.getTime() / 1000) : null);

export function observationRow(o: Observation) {
  return {
    observed_at: o.observedAt.getTime(),
    pass_id: o.passId,
    domain: o.domain,
    protocol: o.protocol,
    step: o.step,
    outcome: o.outcome,
    duration_ms: Math.max(0, Math.round(o.durationMs)),
    facts: truncateUtf8(JSON.stringify(o.facts ?? {}), MAX_RAW_BYTES),
    raw: truncateUtf8(o.raw ?? '', MAX_RAW_BYTES),
    error: truncateUtf8(o.error ?? '', MAX_TEXT_BYTES),
  };
}

/** The kinds a snapshot measured; a writer that reports none probed the old way: an ok probe measured everything, a failed one liveness only. */
function measuredOf(s: ServerSnapshot): string[] {
  return s.measured ?? (s.status === 'ok' ? [...FACT_KINDS] : ['liveness']);
}

export function serverSnapshotRow(s: ServerSnapshot) {
  const tls = s.tls;
  return {
    observed_at: s.observedAt.getTime(),
    pass_id: s.passId,
    domain: s.domain,
    protocol: s.protocol,
    status: s.status,
    software: s.software || 'unknown',
    version_raw: truncateUtf8(s.versionRaw, 256),
    version: s.version,
    registration: s.registration,
    features: s.features,
    spec_versions: s.specVersions,
    tls_version: tls?.protocol ?? '',
    tls_issuer: truncateUtf8(tls?.issuer ?? '', 256),
    tls_valid: isTlsValid(tls),
    tls_expires_at: seconds(tls?.validTo ?? null),
    dnssec: s.dnssec,
    dane: s.dane,
    ipv4: s.ipv4,
    ipv6: s.ipv6,
    public_rooms: s.publicRooms,
    public_members: s.publicMembers,
    users: s.users,
    measured: measuredOf(s),
    requests: Math.max(0, Math.round(s.requests ?? 0)),
    rate_limited: s.rateLimited ? 1 : 0,
    crawl_delay: typeof s.crawlDelaySeconds === 'number' && Number.isFinite(s.crawlDelaySeconds) && s.crawlDelaySeconds > 0 ? s.crawlDelaySeconds : 0,
    endpoint: s.endpoint,
    error: truncateUtf8(s.error, MAX_TEXT_BYTES),
    failure: s.failure ?? '',
    directory: s.directory ?? '',
    report: truncateUtf8(JSON.stringify(s.report ?? []), MAX_RAW_BYTES),
    // Never truncated: a cut JSON would read back as unknown; parseServerOffer's bounds keep it small.
    offer: serializeServerOffer(s.offer ?? UNKNOWN_OFFER),
    upload_max: s.uploadMaxBytes === undefined || s.uploadMaxBytes === null || s.uploadMaxBytes < 0 ? null : Math.round(s.uploadMaxBytes),
    // Each kind this probe measured, at its time; carried kinds get theirs in db/carry-forward.ts.
    measured_at: Object.fromEntries(measuredOf(s).map((k) => [k, s.observedAt.getTime()])),
  };
}

/**
 * `server_snapshots.failure` read back: the code {@link serverSnapshotRow} wrote, or `null` for ''
 * (an ok probe, no code, a row from before migration 0011) and for a code this version does not know.
 */
export function parseSnapshotFailure(stored: string): ProbeErrorCode | null {
  return isProbeErrorCode(stored) ? stored : null;
}

/**
 * The columns every stored room row shares (room_snapshots, rooms_current) and that every reader
 * of rooms returns (the directory, the export): one definition for the writer and its readers.
 */
export interface RoomColumns {
  protocol: Protocol;
  room_id: string;
  /** The server that lists it. */
  server: string;
  /** Canonical alias (Matrix) or room JID (XMPP): what people join. */
  address: string;
  name: string;
  topic: string;
  members: number;
  /** Declared, or detected from name and topic (roomLanguage); '' when neither. */
  language: string;
}

export function roomSnapshotRow(r: RoomSnapshot) {
  const language = roomLanguage(r);
  return {
    observed_at: r.observedAt.getTime(),
    pass_id: r.passId,
    protocol: r.protocol,
    room_id: r.roomId,
    server: r.server,
    address: truncateUtf8(r.address, 512),
    name: truncateUtf8(r.name, 512),
    topic: truncateUtf8(r.topic, MAX_TEXT_BYTES),
    members: Math.max(0, Math.min(r.members, 0xffffffff)),
    avatar_url: truncateUtf8(r.avatarUrl, 1024),
    language: language.language,
    language_confidence: language.confidence,
    world_readable: r.worldReadable,
    guest_can_join: r.guestCanJoin,
    join_rule: truncateUtf8(r.joinRule, 64),
    room_type: r.roomType,
    children: r.children.slice(0, 1000),
    federates: r.federates ?? null,
  };
}

// roomSnapshotRow runs twice per room of a batch (room_snapshots, rooms_current): detect once.
const languages = new WeakMap<RoomSnapshot, DetectedLanguage>();

/**
 * A room's language as stored (migration 0013): the one it declares (lower
 * case, `_` read as `-`), with confidence 1; else the one detected from its
 * name and topic (lib/detect-language.ts); else '' with confidence 0.
 */
export function roomLanguage(r: RoomSnapshot): DetectedLanguage {
  let found = languages.get(r);
  if (!found) {
    const declared = truncateUtf8(r.language.trim(), 32).toLowerCase().replaceAll('_', '-');
    found = declared ? { language: declared, confidence: 1 } : detectLanguage(`${r.name}\n${r.topic}`);
    languages.set(r, found);
  }
  return found;
}

export function discoveryRow(d: Discovery) {
  return {
    found_at: d.foundAt.getTime(),
    domain: d.domain,
    protocol: d.protocol ?? '',
    via: d.via,
    source_domain: d.sourceDomain,
  };
}
