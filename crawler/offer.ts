/**
 * What a server says about itself to people choosing it (issue 15): the XMPP
 * provider file's statements, the Matrix support well-known's contacts, the
 * XMPP contact addresses (XEP-0157). Measured with the `setup` kind (the
 * contact addresses come through the observer, with `liveness`), stored as
 * one JSON column (`server_snapshots.offer`) and read back by the guide
 * (db/queries/guide, guide/) with {@link parseServerOffer} only.
 *
 * Each part is three-valued: the statements when published, `'absent'` when
 * the server answered without them (a 404, no contact form), `null` when
 * Chatlas does not know (not asked yet, the request failed, not applicable to
 * the protocol). The guide shows `null` as unknown, never as bad.
 */
import { z } from 'zod';

/** The XMPP Providers provider file's statements that matter to someone choosing (crawler/protocol/xmpp-provider-file.ts). */
export interface ProviderStatements {
  /** Legal notice URL (English first, else the first language). */
  legalNotice: string | null;
  website: string | null;
  organization: string | null;
  freeOfCharge: boolean | null;
  professionalHosting: boolean | null;
  /** Date the service started, as stated (`YYYY-MM-DD`). */
  since: string | null;
  serverLocations: string[];
  busFactor: number | null;
  inBandRegistration: boolean | null;
  registrationWebPage: string | null;
  passwordReset: string | null;
  /**
   * Stated per-file HTTP upload limit in bytes; null not stated (or "less than 1 MB"), -1 no limit.
   * Not a v2 property; where a file states `maximumHttpFileUploadFileSize` it is in MB, 0 meaning
   * no limit (crawler/protocol/xmpp-provider-file.ts `providerStatements`).
   */
  maxUploadBytes: number | null;
}

/** Matrix `/.well-known/matrix/support` (MSC1929): who to contact and where. */
export interface SupportStatements {
  contacts: { role: string; matrixId: string; email: string }[];
  supportPage: string | null;
}

/** What one snapshot knows of the server's own statements; see the file header for null and 'absent'. */
export interface ServerOffer {
  /** XMPP: `/.well-known/xmpp-provider-v2.json`. Matrix: null. */
  provider: ProviderStatements | 'absent' | null;
  /** Matrix: `/.well-known/matrix/support`. XMPP: null. */
  support: SupportStatements | 'absent' | null;
  /** XMPP: XEP-0157 addresses by kind (`admin-addresses` → `admin`, …); `{}` none published. Matrix: null. */
  contacts: Record<string, string[]> | null;
}

/** Nothing known: the value of a snapshot that measured none of it (and of rows from before the column). */
export const UNKNOWN_OFFER: ServerOffer = Object.freeze({ provider: null, support: null, contacts: null });

const text = (max: number) => z.string().max(max);
const provider = z.object({
  legalNotice: text(2000).nullable(),
  website: text(2000).nullable(),
  organization: text(200).nullable(),
  freeOfCharge: z.boolean().nullable(),
  professionalHosting: z.boolean().nullable(),
  since: text(32).nullable(),
  serverLocations: z.array(text(8)).max(50),
  busFactor: z.number().int().nullable(),
  inBandRegistration: z.boolean().nullable(),
  registrationWebPage: text(2000).nullable(),
  passwordReset: text(2000).nullable(),
  maxUploadBytes: z.number().int().min(-1).nullable(),
});
const support = z.object({
  contacts: z.array(z.object({ role: text(100), matrixId: text(300), email: text(300) })).max(50),
  supportPage: text(2000).nullable(),
});
const offer = z.object({
  provider: z.union([provider, z.literal('absent')]).nullable(),
  support: z.union([support, z.literal('absent')]).nullable(),
  contacts: z.record(text(64), z.array(text(1100)).max(20)).nullable(),
});

/**
 * The stored column back to a {@link ServerOffer}. '' (rows from before the
 * column) and anything that does not parse are {@link UNKNOWN_OFFER}: unknown,
 * never a guessed value. One bad part does not void the others.
 */
export function parseServerOffer(stored: string): ServerOffer {
  if (!stored) return UNKNOWN_OFFER;
  let data: unknown;
  try { data = JSON.parse(stored); } catch { return UNKNOWN_OFFER; }
  const whole = offer.safeParse(data);
  if (whole.success) return whole.data as ServerOffer;
  if (typeof data !== 'object' || data === null) return UNKNOWN_OFFER;
  const parts = data as Record<string, unknown>;
  const part = <T>(schema: z.ZodType<T>, value: unknown): T | null => { const r = schema.safeParse(value); return r.success ? r.data : null; };
  return {
    provider: part(offer.shape.provider, parts['provider']) as ServerOffer['provider'],
    support: part(offer.shape.support, parts['support']) as ServerOffer['support'],
    contacts: part(offer.shape.contacts, parts['contacts']),
  };
}

/** The column's text for an offer (the writer's one serialisation). */
export function serializeServerOffer(value: ServerOffer): string {
  return value.provider === null && value.support === null && value.contacts === null ? '' : JSON.stringify(value);
}
