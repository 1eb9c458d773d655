/**
 * The shared vocabulary between the crawler and the store. The crawler
 * produces these values; `db/queries/observations/*` writes them.
 * Step outcomes and report items, which readers parse back from the store,
 * have their type and their one parser in files beside this one, exported
 * from here: the store and the site import the vocabulary from this file only.
 */
import type { ProbeErrorCode } from './errors.ts';
import type { Outcome } from './outcome.ts';
import type { ReportItem } from './report-item.ts';
import type { FactKind } from './fact-kinds.ts';
import type { ServerOffer } from './offer.ts';

export { EXPECTED_OUTCOMES, isFailureOutcome, isOutcome, parseOutcome, type ExpectedOutcome, type Outcome } from './outcome.ts';
export { parseReportItems, REPORT_LEVELS, type ReportItem, type ReportLevel } from './report-item.ts';
export { parseSoftwareKey, UNKNOWN_SOFTWARE, UNRECOGNISED_PREFIX, UNRECOGNISED_SOFTWARE, type SoftwareKey } from './software-key.ts';
export { CARRIED_FIELDS, FACT_KINDS, isFactKind, kindOfStep, parseMeasured, type CarriedField, type FactKind } from './fact-kinds.ts';
export { parseServerOffer, serializeServerOffer, UNKNOWN_OFFER, type ProviderStatements, type ServerOffer, type SupportStatements } from './offer.ts';

/** The two federations Chatlas watches. */
export const PROTOCOLS = ['xmpp', 'matrix'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/**
 * How a registration (sign-up) is offered, as observed, never by creating an account.
 * `advertised` is XMPP in-band registration that is announced but not proven open
 * (ejabberd announces it while refusing remote sign-ups; see PROTOCOLS.md §3.2).
 */
export const REGISTRATION_MODES = [
  'open', 'captcha', 'email', 'token', 'invite', 'sso', 'web', 'advertised', 'closed', 'unknown',
] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];

/** What a pass concluded about a server. */
export const SERVER_STATUSES = ['ok', 'unreachable', 'error', 'opted-out', 'disallowed', 'not-a-server'] as const;
export type ServerStatus = (typeof SERVER_STATUSES)[number];

/**
 * Which public room directories of a Matrix server answered Chatlas: the client one (read without
 * a token), the federation one (read with signed requests: needs a federation identity), both, or
 * none. Stored per snapshot (`server_snapshots.directory`); '' / null for XMPP and for snapshots
 * from before it was measured.
 */
export const DIRECTORY_EXPOSURES = ['none', 'client', 'federation', 'both'] as const;
export type DirectoryExposure = (typeof DIRECTORY_EXPOSURES)[number];

/** How a domain became known. */
export const DISCOVERY_VIAS = [
  'seed', 'cli', 'registration', 'srv', 'well-known', 'room-id', 'room-alias', 'room-via',
  'muc', 'disco-item', 'contact', 'host-meta', 'provider-file',
  // A server that sent Chatlas a verified signed federation request (federation/record-origins.ts).
  'contacted-us',
  // A server the alias's own server says is in a room it lists (`query/directory`, crawler/probe/matrix-aliases.ts).
  'alias-servers',
] as const;
export type DiscoveryVia = (typeof DISCOVERY_VIAS)[number];

/** One probe step on one server: the raw, append-only record. */
export interface Observation {
  passId: string;
  domain: string;
  protocol: Protocol;
  /** Stable step name, e.g. `dns.srv`, `matrix.federation-version`, `xmpp.c2s-features`. */
  step: string;
  observedAt: Date;
  /** `ok`, an expected result such as `absent` or `auth-required`, or a ProbeError code (crawler/outcome.ts). */
  outcome: Outcome;
  durationMs: number;
  /** Parsed facts of this step (JSON-serialisable). */
  facts: Record<string, unknown>;
  /** The bounded raw reply, so facts can be re-parsed later. */
  raw: string;
  /** Error message when the outcome is an error, else ''. */
  error: string;
}

/** TLS facts of one connection. `null` where not observed. */
export interface TlsFacts {
  protocol: string | null;
  cipher: string | null;
  issuer: string | null;
  subject: string | null;
  validFrom: Date | null;
  validTo: Date | null;
  /** Chain verifies against the trust store. */
  chainValid: boolean | null;
  /** Certificate names the domain. */
  nameValid: boolean | null;
  error: string | null;
}

/**
 * Whether TLS facts say the certificate is valid: chain and name both verify.
 * `null` when either was not observed. The one definition the store
 * (`server_snapshots.tls_valid`) and the health report use.
 */
export function isTlsValid(tls: TlsFacts | null): boolean | null {
  if (!tls || tls.chainValid === null || tls.nameValid === null) return null;
  return tls.chainValid && tls.nameValid;
}

/** One server's state as one pass concluded it: the source of latest state and rollups. */
export interface ServerSnapshot {
  passId: string;
  domain: string;
  protocol: Protocol;
  observedAt: Date;
  status: ServerStatus;
  /**
   * Normalised software name (`synapse`, `prosody`, …), `unknown`, or for a name no rule
   * knows `unrecognised` / `unrecognised:<plain name>` (crawler/software-key.ts).
   */
  software: string;
  /** The version string as the server reported it. */
  versionRaw: string;
  /** `major.minor.patch` where it parses, else ''. */
  version: string;
  registration: RegistrationMode;
  /** Feature flags (XMPP disco vars and stream features, Matrix unstable features and login flows). */
  features: string[];
  /** Matrix spec versions, XMPP: empty. */
  specVersions: string[];
  tls: TlsFacts | null;
  dnssec: boolean | null;
  dane: boolean | null;
  ipv4: boolean | null;
  ipv6: boolean | null;
  publicRooms: number;
  publicMembers: number;
  users: number | null;
  /**
   * The kinds of fact this probe measured (crawler/fact-kinds.ts); the fields of
   * the others are carried forward from the last good snapshot when stored.
   * @default every kind for an ok snapshot, liveness for a failed one (what probes did before kinds)
   */
  measured?: FactKind[];
  /** Requests this probe sent the server (crawler/net/request-budget.ts). @default 0 */
  requests?: number;
  /**
   * The server answered this probe 429 or 503 with a `Retry-After` (crawler/policy/politeness.ts
   * `paceOf`): its budget is halved for a week from the snapshot's time. @default false
   */
  rateLimited?: boolean;
  /** robots.txt `Crawl-delay` this probe read, seconds (null: none, or not read): it lowers the budget for a week. @default null */
  crawlDelaySeconds?: number | null;
  /** Matrix delegation target or XMPP SRV target actually used, else ''. */
  endpoint: string;
  /** Main failure in one line, '' when ok. */
  error: string;
  /**
   * The code of the failure that decided `status`; absent when ok, or when no one
   * code explains it. Stored (`server_snapshots.failure`) for the crawl schedule,
   * which retries a transient failure soon and backs off a permanent one.
   */
  failure?: ProbeErrorCode;
  /** Matrix: which room directories answered (see {@link DIRECTORY_EXPOSURES}); absent for XMPP. */
  directory?: DirectoryExposure;
  /** What the server says about itself (crawler/offer.ts). @default nothing known */
  offer?: ServerOffer;
  /** XMPP: the XEP-0363 upload service's max-file-size in bytes. @default null (not known) */
  uploadMaxBytes?: number | null;
  /** Step-by-step health report: what was checked, what is wrong and how to fix it. */
  report: ReportItem[];
}

/** A public room or channel as listed by its server. */
export interface RoomSnapshot {
  passId: string;
  protocol: Protocol;
  /** Matrix `!id:server`, XMPP room JID. */
  roomId: string;
  /** The server that listed it. */
  server: string;
  /** Canonical alias (Matrix) or room JID (XMPP): what people join. */
  address: string;
  name: string;
  topic: string;
  members: number;
  avatarUrl: string;
  language: string;
  worldReadable: boolean | null;
  guestCanJoin: boolean | null;
  joinRule: string;
  /** `room` or `space`. */
  roomType: 'room' | 'space';
  /** Rooms of a space (child room ids), when walked. */
  children: string[];
  /**
   * Can users of other servers join it? `false`: local-only (Matrix `m.federate: false`,
   * seen as absent from the server's federation directory; crawler/protocol/matrix-rooms.ts
   * `federatesFrom`), never offered with a join link. Absent or null: not known.
   */
  federates?: boolean | null;
  observedAt: Date;
}

/** A domain found, and where. */
export interface Discovery {
  domain: string;
  /** The protocol it was found for, or `null` when not yet known. */
  protocol: Protocol | null;
  via: DiscoveryVia;
  /** Domain whose data named it ('' for seeds, the CLI and registrations). */
  sourceDomain: string;
  foundAt: Date;
}

/** Everything one probe of one server produced, ready for the store. */
export interface ProbeResult {
  snapshot: ServerSnapshot;
  observations: Observation[];
  rooms: RoomSnapshot[];
  discoveries: Discovery[];
}
