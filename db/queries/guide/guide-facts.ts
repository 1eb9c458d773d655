/**
 * The guide's facts of one server (issue 15): what `/choose`, `GET /api/v1/guide`,
 * the exports' guide columns and the implementation profiles read, each fact
 * with when it was measured. Written by {@link listGuideFacts}
 * (db/queries/guide/list-guide-facts.ts); graded by guide/rubric.ts.
 * `null` is always "not known", never "bad".
 */
import type { FactKind, Protocol, RegistrationMode, ServerOffer, ServerStatus } from '../../../crawler/types.ts';

/** Probes and answers of one window (from `server_daily_v1`). */
export interface UptimeWindow {
  /** Probes that found the server up (`status = 'ok'`). */
  ok: number;
  /** Every probe in the window. */
  probes: number;
  /** Distinct days with at least one probe. */
  days: number;
}

/** One server's facts for the guide. */
export interface GuideFacts {
  protocol: Protocol;
  domain: string;
  /** Status at the latest probe. */
  status: ServerStatus;
  /** Latest probe (ISO). */
  observedAt: string;
  /** Last probe that found it up (ISO), null if never. */
  lastOkAt: string | null;
  /** First snapshot Chatlas holds of it (ISO): its age as Chatlas knows it. */
  firstSeenAt: string | null;
  /** From the last good snapshot: normalised name (`unknown` when not known). */
  software: string;
  /** `major.minor.patch`, '' when not known or not parsed. */
  version: string;
  /**
   * The day (YYYY-MM-DD) the network first showed a newer version of the same
   * software (the release data of the software pages); null when no newer version
   * was seen, or the version is not known (then {@link version} is '').
   */
  supersededOn: string | null;
  /** The newest version of its software seen on the network ('' when none parses). */
  latestVersion: string;
  registration: RegistrationMode;
  features: string[];
  tlsValid: boolean | null;
  /** Certificate expiry (ISO), null when no TLS was observed. */
  tlsExpiresAt: string | null;
  ipv4: boolean | null;
  ipv6: boolean | null;
  /** XMPP: SRV answers DNSSEC-authenticated. Matrix: null. */
  dnssec: boolean | null;
  /** XMPP: a DNSSEC-signed TLSA record for the client endpoint. Matrix: null. */
  dane: boolean | null;
  publicRooms: number;
  publicMembers: number;
  /** XMPP: XEP-0363 upload service's max-file-size in bytes; null not known (Matrix: its media config needs a login). */
  uploadMaxBytes: number | null;
  /** Its own statements (provider file, support well-known, contact addresses). */
  offer: ServerOffer;
  uptime30: UptimeWindow;
  uptime90: UptimeWindow;
  /**
   * What its verified admin wrote about it at registration (registration/: the description), shown as
   * the admin's words beside the measured facts, never graded: the rubric has no manual overrides, and
   * this is where an admin who disagrees adds context. null: no verified registration, or nothing written.
   */
  adminNote: string | null;
  /** When each kind of fact was last measured (ISO); absent: never. */
  measuredAt: Partial<Record<FactKind, string>>;
}
