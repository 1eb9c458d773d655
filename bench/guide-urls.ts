/**
 * Distinct requests for bench/guide.ts: the n-th URL of endless sequences
 * that never repeat, so no request of a load run can be answered from a
 * cache keyed by the query string (the API's response cache), and every one
 * filters, sorts and renders.
 *
 * The guide's (`/choose` and `GET /api/v1/guide`) are what a visitor picks:
 * a protocol or both, a sign-up class or any, a sort, IPv6 or not, and a
 * 30-day uptime threshold that differs on every request (0.00-99.99%, in
 * steps of 0.01, then the threshold cycles with `limit` growing by one per
 * round). The peers (`/servers` and `GET /api/v1/servers`, the server list:
 * a store query per request) take a protocol, a registration mode, a sort
 * and a domain substring that is new on every request.
 */

const PROTOCOLS = ['', 'xmpp', 'matrix'];
const SIGNUPS = ['', 'open', 'invite', 'closed'];
const SORTS = ['', 'uptime30', 'tls-days', 'members', 'domain'];
const IPV6 = ['', 'true'];
/** Combinations of the fixed parts; the threshold varies across them. */
const COMBOS = PROTOCOLS.length * SIGNUPS.length * SORTS.length * IPV6.length;
/** Thresholds per round: 0.00 to 99.99. */
const THRESHOLDS = 10_000;

/** The query string of the n-th guide request (without `?`). */
export function guideQueryAt(n: number): string {
  let rest = n % COMBOS;
  const protocol = PROTOCOLS[rest % PROTOCOLS.length]!;
  rest = Math.floor(rest / PROTOCOLS.length);
  const signup = SIGNUPS[rest % SIGNUPS.length]!;
  rest = Math.floor(rest / SIGNUPS.length);
  const sort = SORTS[rest % SORTS.length]!;
  rest = Math.floor(rest / SORTS.length);
  const ipv6 = IPV6[rest % IPV6.length]!;
  const step = Math.floor(n / COMBOS);
  const q = new URLSearchParams();
  if (protocol) q.set('protocol', protocol);
  if (signup) q.set('signup', signup);
  q.set('uptime30', ((step % THRESHOLDS) / 100).toFixed(2));
  if (ipv6) q.set('ipv6', ipv6);
  if (sort) q.set('sort', sort);
  const round = Math.floor(step / THRESHOLDS);
  if (round > 0) q.set('limit', String(Math.min(500, 50 + round)));
  return q.toString();
}

const REGISTRATIONS = ['', 'open', 'closed', 'token'];
const SERVER_SORTS = ['', 'domain', 'rooms', 'observed'];

/** The query string of the n-th server-list request: its domain substring (`q`) is n itself. */
export function serversQueryAt(n: number): string {
  const q = new URLSearchParams();
  const protocol = PROTOCOLS[n % PROTOCOLS.length]!;
  const registration = REGISTRATIONS[Math.floor(n / 3) % REGISTRATIONS.length]!;
  const sort = SERVER_SORTS[Math.floor(n / 12) % SERVER_SORTS.length]!;
  if (protocol) q.set('protocol', protocol);
  if (registration) q.set('registration', registration);
  if (sort) q.set('sort', sort);
  q.set('q', String(n));
  return q.toString();
}

/** The sequences, by name: bench/load.ts is told one. */
export const GUIDE_SEQUENCES = {
  guidePage: (n: number) => `/choose?${guideQueryAt(n)}`,
  guideApi: (n: number) => `/api/v1/guide?${guideQueryAt(n)}`,
  serversPage: (n: number) => `/servers?${serversQueryAt(n)}`,
  serversApi: (n: number) => `/api/v1/servers?${serversQueryAt(n)}`,
} as const;
export type GuideSequence = keyof typeof GUIDE_SEQUENCES;
