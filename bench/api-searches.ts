/**
 * Distinct room searches for bench/api.ts: the n-th URL of an endless
 * sequence that never repeats, so no search of a benchmark run can be
 * answered from the API's response cache (its key is the whole query string)
 * and every request runs the search on the store.
 *
 * The searches are what a visitor of the directory asks: a word that room
 * names and topics of the synthetic network carry (tests/harness/synthetic.ts),
 * one of the first pages, with or without a protocol filter and a sort; the
 * filtered set adds a language and a member threshold. Past the combinations
 * of those, a member threshold grows by one per round, which keeps each URL
 * new while barely changing what the search does (rooms have 3-500+ members).
 */

/** Words the synthetic generator puts in room names and topics. */
const WORDS = ['general', 'linux', 'rust', 'python', 'music', 'gaming', 'offtopic', 'support', 'dev', 'art', 'news', 'privacy', 'selfhosted', 'books', 'climate', 'science'];
const PROTOCOLS = ['', 'matrix', 'xmpp'];
const SORTS = ['', 'members', 'growth', 'name'];
const LANGUAGES = ['en', 'de', 'fr'];

/** How many searches one round of combinations holds (before the round number varies a value). */
const ROUND = WORDS.length * 3 * PROTOCOLS.length * SORTS.length;

function parts(n: number) {
  const word = WORDS[n % WORDS.length]!;
  let rest = Math.floor(n / WORDS.length);
  const page = 1 + (rest % 3);
  rest = Math.floor(rest / 3);
  const protocol = PROTOCOLS[rest % PROTOCOLS.length]!;
  rest = Math.floor(rest / PROTOCOLS.length);
  const sort = SORTS[rest % SORTS.length]!;
  return { word, page, protocol, sort, round: Math.floor(n / ROUND) };
}

/**
 * The n-th plain search (`q`, page, optional protocol and sort); from the
 * second round on, `minMembers=<round>`, so a URL never repeats.
 */
export function distinctSearch(n: number): string {
  const { word, page, protocol, sort, round } = parts(n);
  const q = new URLSearchParams({ q: word, page: String(page) });
  if (protocol) q.set('protocol', protocol);
  if (sort) q.set('sort', sort);
  if (round > 0) q.set('minMembers', String(round));
  return `/api/v1/rooms?${q}`;
}

/** The n-th filtered search: also a language and a member threshold that grows by round. */
export function distinctFilteredSearch(n: number): string {
  const { word, page, protocol, sort, round } = parts(n);
  const q = new URLSearchParams({ q: word, page: String(page), language: LANGUAGES[n % LANGUAGES.length]!, minMembers: String(10 + round) });
  if (protocol) q.set('protocol', protocol);
  if (sort) q.set('sort', sort);
  return `/api/v1/rooms?${q}`;
}

/** The generators bench/load.ts can be told to use, by name. */
export const SEARCH_SEQUENCES = { distinctSearch, distinctFilteredSearch } as const;
export type SearchSequence = keyof typeof SEARCH_SEQUENCES;
