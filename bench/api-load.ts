/**
 * The load generator of bench/api.ts, run as its own process so it does not
 * share the server's event loop: autocannon against `origin`, either cycling
 * through `paths` (one path = the same URL every time) or taking each request's
 * URL from a named never-repeating sequence (bench/api-searches.ts), so that
 * no request can be answered from the API's response cache.
 *
 *   node bench/api-load.ts <origin> <paths.json | sequence name> <connections> <seconds>
 *
 * Prints autocannon's result as JSON, with `urlsSent` (URLs handed out) and
 * `distinctUrls` (how many of them were different).
 */
import { createRequire } from 'node:module';
import { SEARCH_SEQUENCES, type SearchSequence } from './api-searches.ts';

/** autocannon ships no types; this is the part of its API used here (autocannon README, "API"). */
type Autocannon = (opts: {
  url: string; connections: number; duration: number; timeout: number;
  requests: Array<{ setupRequest: (req: { path: string }) => { path: string } }>;
}) => Promise<unknown>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const [origin, source, connections, seconds] = process.argv.slice(2);
const sequence = Object.hasOwn(SEARCH_SEQUENCES, source!) ? SEARCH_SEQUENCES[source as SearchSequence] : null;
const paths = sequence ? [] : JSON.parse(source!) as string[];
const urlAt = sequence ?? ((n: number) => paths[n % paths.length]!);
let i = 0;
const sent = new Set<string>();
const result = await autocannon({
  url: origin!,
  connections: Number(connections),
  duration: Number(seconds),
  timeout: 30,
  requests: [{
    setupRequest: (req: { path: string }) => {
      const path = urlAt(i++);
      sent.add(path);
      return { ...req, path };
    },
  }],
});
console.log(JSON.stringify({ ...(result as object), urlsSent: i, distinctUrls: sent.size }));
