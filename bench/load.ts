/**
 * The load generator the HTTP benchmarks (bench/api.ts, bench/search.ts,
 * bench/guide.ts) start in its own process, so it does not share the
 * server's event loop: autocannon against `origin`, either cycling through
 * `paths` (a JSON array; one path = the same URL every time) or taking each
 * request's URL from a named never-repeating sequence (bench/api-searches.ts,
 * bench/guide-urls.ts), starting at `first` (so URLs a warm-up used are not
 * sent again), so that no request can be answered from a response cache.
 *
 *   node bench/load.ts <origin> <paths.json | sequence name> <connections> <seconds> [first] [timeout seconds]
 *
 * Prints autocannon's result as JSON, with `urlsSent` (URLs handed out) and
 * `distinctUrls` (how many of them were different).
 */
import { createRequire } from 'node:module';
import { SEARCH_SEQUENCES } from './api-searches.ts';
import { GUIDE_SEQUENCES } from './guide-urls.ts';

/** autocannon ships no types; this is the part of its API used here (autocannon README, "API"). */
type Autocannon = (opts: {
  url: string; connections: number; duration: number; timeout: number;
  requests: Array<{ setupRequest: (req: { path: string }) => { path: string } }>;
}) => Promise<unknown>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** Every named sequence (their names do not overlap). */
const SEQUENCES: Record<string, (n: number) => string> = { ...SEARCH_SEQUENCES, ...GUIDE_SEQUENCES };

const [origin, source, connections, seconds, first, timeout] = process.argv.slice(2);
const sequence = Object.hasOwn(SEQUENCES, source!) ? SEQUENCES[source!]! : null;
const paths = sequence ? [] : JSON.parse(source!) as string[];
const urlAt = sequence ?? ((n: number) => paths[n % paths.length]!);
let i = Number(first ?? 0);
const start = i;
const sent = new Set<string>();
const result = await autocannon({
  url: origin!,
  connections: Number(connections),
  duration: Number(seconds),
  timeout: Number(timeout ?? 30),
  requests: [{
    setupRequest: (req: { path: string }) => {
      const path = urlAt(i++);
      sent.add(path);
      return { ...req, path };
    },
  }],
});
console.log(JSON.stringify({ ...(result as object), urlsSent: i - start, distinctUrls: sent.size }));
