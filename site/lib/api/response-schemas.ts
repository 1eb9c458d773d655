/**
 * Response schemas of the read endpoints, mirroring the row types of the
 * site's queries (db/queries/{stats,software,servers,rooms}). Objects are
 * `loose` (extra members allowed) so a query that gains a column does not
 * break clients, while every documented member is checked by schemathesis.
 */
import { z } from 'zod';
import { findingSchema, reportItemSchema } from './health-schemas.ts';
import { DIRECTORY_EXPOSURES } from '../../../crawler/types.ts';
import { SERVER_ROLES } from '../../../crawler/software-role.ts';
import { GRADES } from '../../../guide/rubric.ts';
import { SIGNUP_CLASSES, SIGNUP_WAYS } from '../../../guide/signup.ts';

const n = z.number();
const iso = z.string().nullable();
const protocol = z.enum(['xmpp', 'matrix']);

/** A bucket of the network series / a day's network state. */
const networkSnapshot = z.object({
  bucket: z.string(), probed: n, reachable: n, rooms: n, members: n, openRegistration: n,
  tlsObserved: n, tlsValid: n, tlsExpiring: n, dnssecObserved: n, dnssec: n, daneObserved: n, dane: n,
  ipv6Observed: n, ipv6: n, firstAt: iso, lastAt: iso,
}).loose();

/** `GET /api/v1/stats`. */
export const statsSchema = z.object({
  asOf: z.string().nullable().describe('The latest complete day the totals describe.'),
  previousDay: z.string().nullable(),
  current: networkSnapshot.nullable(),
  previous: networkSnapshot.nullable(),
  byProtocol: z.record(z.string(), networkSnapshot),
  coverage: z.array(z.object({ day: z.string(), probed: n })),
});

/** `GET /api/v1/stats/directories`. */
export const directoryExposureSchema = z.object({
  rows: z.array(z.object({
    software: z.string().describe("Implementation key; '' for the row over every Matrix server."),
    directory: z.enum(DIRECTORY_EXPOSURES).describe('Which public room directories answered Chatlas: client (without a token), federation (signed requests), both, none.'),
    servers: n,
  })),
});

/** `GET /api/v1/stats/series`. */
export const seriesSchema = z.object({
  metric: z.string(),
  range: z.string(),
  step: z.enum(['day', 'week', 'month']),
  from: z.string(),
  to: z.string(),
  points: z.array(z.object({
    bucket: z.string(),
    protocol,
    value: n.describe('The metric in this bucket.'),
    base: n.describe('What a share is over: probed servers for counts, servers observed for the fact otherwise.'),
    probed: n.describe('Servers probed in the bucket (coverage): domains that show no sign of running the protocol are not servers and not counted.'),
    firstAt: iso,
    lastAt: iso,
  })),
});

const softwareRow = z.object({
  protocol, software: z.string(),
  role: z.enum(SERVER_ROLES).describe('`server`: an implementation of the protocol (a Matrix homeserver, an XMPP server). `gateway`: software of another protocol federating into this one (in Matrix, `ejabberd` is ejabberd\'s mod_matrix_gw gateway). `directory`: a room directory (`mrs`, `chatlas`). Only `server` rows are implementations; the site counts the others apart.'),
  servers: n, reachable: n, newestVersion: z.string(), commonVersion: z.string(), versions: n,
  openRegistration: n, tlsObserved: n, tlsValid: n, ipv6: n, dnssec: n, rooms: n, members: n,
  specVersions: z.array(z.string()), lastAt: iso,
}).loose();

/** `GET /api/v1/software`. */
export const softwareListSchema = z.object({ software: z.array(softwareRow) });

/** One count per key of an allow-list. */
const counts = (keys: readonly string[], what: string) => z.object(Object.fromEntries(keys.map((k) => [k, n]))).describe(what);
const medianOf = (what: string) => z.object({ median: n.nullable().describe('null: not known for any server'), known: n.describe('Servers whose value is known (the median\'s base).') }).describe(what);
const shareOf = (what: string) => z.object({ count: n, of: n.describe('The base: servers up whose fact is known (0: unknown).') }).describe(what);

/** One implementation's measured profile (guide/profile.ts ImplementationProfile). */
const implementationProfile = z.object({
  protocol,
  software: z.string().describe("Software key; '' for the row over every implementation of the protocol."),
  role: z.enum(SERVER_ROLES),
  servers: n.describe('Servers of the guide with this software at their last good probe.'),
  reachable: n.describe('Of those, up at their latest probe: the base of every number below.'),
  uptime30: medianOf('30-day uptime (0-1), median over servers up with at least 7 days measured.'),
  tlsValid: shareOf('A certificate that verifies, of servers up whose TLS was observed.'),
  current: shareOf('On the newest version the network shows, of servers up whose version is known.'),
  behindDays: medianOf('Days since the installed version was superseded (0: newest).'),
  signup: counts(SIGNUP_CLASSES, 'Who can sign up, servers up per class (they add up to reachable).'),
  ways: counts(SIGNUP_WAYS, 'How, servers up whose sign-up is open or by invitation, per way.'),
  featuresKnown: n.describe('Servers up with at least one feature recorded: the base of features.'),
  features: z.array(z.object({ feature: z.string(), servers: n })).describe('Its most advertised features and the protocol\'s feature columns, most servers first.'),
  grades: counts(GRADES, 'Servers up per grade of the guide\'s rubric.'),
  upgrade: z.object({
    releases: n.describe('Releases first seen on the network in the last 90 days (at most 6, newest).'),
    reachedHalf: n.describe('Of those, releases half of the servers ran (or newer) within the data.'),
    medianDaysToHalf: n.nullable().describe('Median days from first sighting to half of the servers, over reachedHalf; null when none.'),
  }).nullable().describe('Upgrade speed; null when no release was first seen in the window.'),
}).loose();

/** `GET /api/v1/software/{name}`. */
export const softwareDetailSchema = z.object({
  name: z.string(),
  range: z.string(),
  step: z.enum(['day', 'week', 'month']),
  protocols: z.array(softwareRow),
  versions: z.array(z.object({ bucket: z.string(), version: z.string(), servers: n }).loose()),
  profile: z.array(z.object({
    protocol,
    focus: z.string().describe('The software asked for.'),
    rows: z.array(implementationProfile).describe('The protocol\'s implementations, most servers up first (at most 20, the one asked for always included; a gateway or directory asked for comes last).'),
    omitted: n.describe('Implementations left out of rows by the limit.'),
    overall: implementationProfile.describe('Every implementation of the protocol together.'),
    featureColumns: z.array(z.string()).describe('The protocol\'s most advertised features.'),
  }).loose()).describe('The measured profile of this implementation\'s servers beside the other implementations of each protocol it runs in (the guide\'s facts, issue 15). A fact not measured on a server leaves it out of that number\'s base.'),
});

const serverRow = z.object({
  protocol, domain: z.string(), status: z.string(), software: z.string(), version: z.string(), registration: z.string(),
  public_rooms: n, public_members: n, tls_valid: z.boolean().nullable(), tls_expires_at: iso, ipv6: z.boolean().nullable(),
  dnssec: z.boolean().nullable(), dane: z.boolean().nullable(), observed_at: iso, last_ok_at: iso, error: z.string(),
}).loose();

/** `GET /api/v1/servers`. */
export const serverListSchema = z.object({
  servers: z.array(serverRow),
  total: n,
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
});

const serverState = z.object({
  observed_at: iso, status: z.string(), software: z.string(), version_raw: z.string(), version: z.string(), registration: z.string(),
  features: z.array(z.string()), spec_versions: z.array(z.string()), tls_version: z.string(), tls_issuer: z.string(),
  tls_valid: z.boolean().nullable(), tls_expires_at: iso, dnssec: z.boolean().nullable(), dane: z.boolean().nullable(),
  ipv4: z.boolean().nullable(), ipv6: z.boolean().nullable(), public_rooms: n, public_members: n, users: n.nullable(),
  endpoint: z.string(), error: z.string(), report: z.array(reportItemSchema).describe('What the crawler wrote about each step: what is wrong and how to fix it.'),
}).loose();

/** `GET /api/v1/servers/{domain}`. */
export const serverDetailSchema = z.object({
  domain: z.string(),
  protocols: z.array(z.object({
    protocol, domain: z.string(), latest: serverState, lastOk: serverState.nullable(),
    findings: z.array(findingSchema).describe('The health report: the crawler\'s findings first, failed steps grouped by cause, errors first (the same as the server page).'),
  }).loose()),
  history: z.array(z.object({
    day: z.string(), protocol, probes: n, okProbes: n, status: z.string(), software: z.string(), version: z.string(),
    registration: z.string(), rooms: n, members: n, lastAt: iso,
  }).loose()),
  discovery: z.array(z.object({ via: z.string(), source: z.string(), protocol: z.string(), firstAt: iso, lastAt: iso, times: n }).loose()),
  registration: z.object({ verified: z.literal(true), description: z.string(), contact: z.string() }).nullable()
    .describe('What the verified admin says about the server (plain text), or null.'),
});

/** `GET /api/v1/rooms`. */
export const roomPageSchema = z.object({
  rooms: z.array(z.object({
    protocol, room_id: z.string(), server: z.string(), address: z.string(), name: z.string(), topic: z.string(), members: n,
    growth: n, language: z.string(), room_type: z.string(), world_readable: z.boolean().nullable(), guest_can_join: z.boolean().nullable(),
    join_rule: z.string(), avatar_url: z.string(), observed_at: iso,
    federates: z.boolean().nullable().optional().describe('false: local-only (only users of its server can join); null or absent: not known.'),
  }).loose()),
  total: n,
  page: n,
  pages: n,
});
