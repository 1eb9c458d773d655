/**
 * Query-parameter schemas shared by the site's pages, the JSON API routes
 * (site/pages/api/**) and the OpenAPI document built from them.
 *
 * Every value a visitor can put in a URL passes through one of these before it
 * reaches a query in db/queries: closed sets are enums (so sort keys and
 * filters come from allow-lists), free text is length-capped, numbers are
 * bounded. Pages and routes call {@link parseQuery}; a bad value becomes a
 * 400 with the offending field named, never a 500.
 *
 * The OpenAPI document is generated from these schemas and checks the raw
 * value, so each pattern and length applies to the value as sent: case is
 * folded AFTER the pattern matched (the pattern admits upper case), and
 * nothing is trimmed here. Trimming and "blank means absent" are what a form
 * needs, so the pages' {@link parseQuery} does them; the API takes values as
 * documented.
 *
 * Owner: the site (issue 6). The API engineer (issue 7) reuses these; change a
 * schema here, in one place, so the site, API and OpenAPI never disagree.
 */
import { z } from 'zod';
import { PROTOCOLS, REGISTRATION_MODES } from '../../crawler/types.ts';
import { DOMAIN_NAME_PATTERN } from '../../crawler/discover/domain-name.ts';

/** `xmpp` or `matrix`. */
export const protocolSchema = z.enum(PROTOCOLS).describe('Federation: xmpp or matrix.');

/** Time ranges offered by the overview and the series endpoints. */
export const RANGES = ['30d', '90d', '1y', 'all'] as const;
export type Range = (typeof RANGES)[number];
/** Time range; @default '30d' */
export const rangeSchema = z.enum(RANGES).default('30d').describe('Time range: 30d, 90d, 1y or all.');

/** Buckets of a time series. */
export const STEPS = ['day', 'week', 'month'] as const;
export type Step = (typeof STEPS)[number];
export const stepSchema = z.enum(STEPS).describe('Bucket of a time series: day, week or month. Default depends on the range.');

/**
 * A DNS domain as Chatlas stores it (crawler/discover/domain-name.ts `DOMAIN_NAME_PATTERN`,
 * the normaliser's output: two or more LDH labels, or a bracketed IPv6 literal), in any case;
 * the value is lower-cased after it matched.
 */
export const domainSchema = z
  .string()
  .max(253)
  .regex(new RegExp(DOMAIN_NAME_PATTERN), 'expected a domain name such as example.org')
  .toLowerCase()
  .describe('Server domain as Chatlas lists it, e.g. matrix.org (any letter case).');

/** A normalised software name (`synapse`, `prosody`, `unknown`, …). */
export const softwareSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected a software name such as synapse')
  .toLowerCase()
  .describe('Normalised software name, e.g. synapse, prosody (any letter case).');

/** A version as stored (`1.163.2`, `25.10`, `2024.10`). */
export const versionSchema = z.string().max(64).regex(/^[0-9A-Za-z.+_-]*$/, 'expected a version such as 1.163.2').describe('Version, e.g. 1.163.2.');

/** Free-text search, capped (before trimming, as documented) so a query string cannot become a denial of service. */
export const searchTextSchema = z.string().max(200).trim().describe('Search text (substring, case-insensitive), at most 200 characters.');

/** Health filters of the server list; each maps to one allow-listed SQL predicate. */
export const HEALTH_FILTERS = ['ok', 'down', 'tls-invalid', 'tls-expiring', 'no-ipv6', 'dnssec', 'dane'] as const;
export type HealthFilter = (typeof HEALTH_FILTERS)[number];

/** Sort keys of the server list (allow-list). */
export const SERVER_SORTS = ['domain', 'software', 'version', 'rooms', 'members', 'observed'] as const;
export type ServerSort = (typeof SERVER_SORTS)[number];

/** Sort keys of the room directory (allow-list). */
export const ROOM_SORTS = ['relevance', 'members', 'growth', 'name'] as const;
export type RoomSort = (typeof ROOM_SORTS)[number];

/** Room kinds. */
export const ROOM_TYPES = ['all', 'room', 'space'] as const;

/** Metrics of the network time series (allow-list; see db/queries/stats/get-network-series.ts). */
export const NETWORK_METRICS = [
  'servers', 'reachable', 'rooms', 'members', 'open_registration', 'tls_valid', 'tls_expiring', 'dnssec', 'dane', 'ipv6',
] as const;
export type NetworkMetric = (typeof NETWORK_METRICS)[number];

const limit = (max: number, dflt: number) => z.coerce.number().int().min(1).max(max).default(dflt);

/** `?range=` for the overview and the software pages. */
export const overviewParams = z.object({
  range: rangeSchema,
  protocol: protocolSchema.optional(),
});
export type OverviewParams = z.infer<typeof overviewParams>;

/** `GET /api/v1/stats/series`: one metric over time. */
export const seriesParams = z.object({
  metric: z.enum(NETWORK_METRICS).default('servers').describe('Metric to chart.'),
  range: rangeSchema,
  step: stepSchema.optional(),
  protocol: protocolSchema.optional(),
});
export type SeriesParams = z.infer<typeof seriesParams>;

/** `/servers` and `GET /api/v1/servers`: filters, sort and cursor paging. */
export const serverListParams = z.object({
  protocol: protocolSchema.optional(),
  software: softwareSchema.optional(),
  version: versionSchema.optional(),
  registration: z.enum(REGISTRATION_MODES).optional().describe('Registration mode.'),
  health: z.enum(HEALTH_FILTERS).optional().describe('Health filter.'),
  q: searchTextSchema.optional().describe('Substring of the domain.'),
  sort: z.enum(SERVER_SORTS).default('members').describe('Sort key.'),
  order: z.enum(['asc', 'desc']).optional().describe('Sort order; default desc for numbers and time, asc for text.'),
  cursor: z.string().max(600).regex(/^[A-Za-z0-9_-]*$/).optional().describe('Opaque cursor from the previous page.'),
  limit: limit(200, 50).describe('Page size, 1-200.'),
});
export type ServerListParams = z.infer<typeof serverListParams>;

/** `/rooms` and `GET /api/v1/rooms`: full-text search, filters, sort and paging. */
export const roomSearchParams = z.object({
  q: searchTextSchema.optional(),
  protocol: protocolSchema.optional(),
  language: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'expected a language code such as en or pt-br').toLowerCase().optional().describe('Room language code, e.g. en or pt-br (any letter case).'),
  minMembers: z.coerce.number().int().min(0).max(1e9).optional().describe('Smallest member count.'),
  maxMembers: z.coerce.number().int().min(0).max(1e9).optional().describe('Largest member count.'),
  server: domainSchema.optional().describe('Only rooms listed by this server.'),
  type: z.enum(ROOM_TYPES).default('all').describe('room, space or all.'),
  sort: z.enum(ROOM_SORTS).optional().describe('relevance (the default with q: address, then name words, then topic words, members as a boost), members (the default without q), growth (30 days) or name.'),
  page: z.coerce.number().int().min(1).max(500).default(1).describe('Page number, from 1.'),
  limit: limit(100, 25).describe('Page size, 1-100.'),
});
export type RoomSearchParams = z.infer<typeof roomSearchParams>;

/** `/software/<name>` and `GET /api/v1/software/{name}`. */
export const softwareParams = z.object({
  name: softwareSchema,
  range: rangeSchema,
  protocol: protocolSchema.optional(),
});
export type SoftwareParams = z.infer<typeof softwareParams>;

/** `/servers/<domain>` and `GET /api/v1/servers/{domain}`. */
export const serverParams = z.object({
  domain: domainSchema,
  range: rangeSchema,
});
export type ServerParams = z.infer<typeof serverParams>;

/** Outcome of {@link parseQuery}. */
export type ParseResult<T> =
  | { ok: true; value: T }
  | { ok: false; issues: { field: string; message: string }[] };

/**
 * Validate a page's URL query parameters (plus route params) against a
 * schema, the way a form submits them: values are trimmed, empty ones
 * (`?software=` from a field left blank) count as absent, and a repeated key
 * keeps its first value. The API validates the values as sent instead
 * (site/lib/api/validate.ts).
 */
export function parseQuery<S extends z.ZodType>(
  schema: S,
  search: URLSearchParams,
  extra: Record<string, string | undefined> = {},
): ParseResult<z.infer<S>> {
  const input: Record<string, string> = {};
  for (const [key, raw] of search) {
    const value = raw.trim();
    if (value !== '' && !(key in input)) input[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(query)', message: i.message })),
  };
}

/** Days covered by a range, `null` for all history. */
export function rangeDays(range: Range): number | null {
  return range === '30d' ? 30 : range === '90d' ? 90 : range === '1y' ? 365 : null;
}

/** The default step of a range: daily up to 90 days, weekly for a year, monthly for all. */
export function defaultStep(range: Range): Step {
  return range === '30d' || range === '90d' ? 'day' : range === '1y' ? 'week' : 'month';
}
