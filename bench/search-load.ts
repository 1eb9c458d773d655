/**
 * The load generator of bench/search.ts, in its own process so it does not
 * share the server's event loop: autocannon against `origin`, each request
 * taking the next path of `paths` (a JSON array), so with a pool larger than
 * the requests sent no query repeats.
 *
 *   node bench/search-load.ts <origin> <paths.json> <connections> <seconds>
 *
 * Prints autocannon's result as JSON, with `urlsSent` and `distinctUrls`.
 */
import { createRequire } from 'node:module';

/** autocannon ships no types; this is the part of its API used here (autocannon README, "API"). */
type Autocannon = (opts: {
  url: string; connections: number; duration: number; timeout: number;
  requests: Array<{ setupRequest: (req: { path: string }) => { path: string } }>;
}) => Promise<unknown>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const [origin, source, connections, seconds] = process.argv.slice(2);
const paths = JSON.parse(source!) as string[];
let i = 0;
const sent = new Set<string>();
const result = await autocannon({
  url: origin!,
  connections: Number(connections),
  duration: Number(seconds),
  timeout: 30,
  requests: [{
    setupRequest: (req: { path: string }) => {
      const path = paths[i++ % paths.length]!;
      sent.add(path);
      return { ...req, path };
    },
  }],
});
console.log(JSON.stringify({ ...(result as object), urlsSent: i, distinctUrls: sent.size }));
