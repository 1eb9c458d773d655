/**
 * The load generator of bench/guide.ts, run as its own process so it does not
 * share the server's event loop: autocannon against `origin`, each request's
 * URL the next of a named never-repeating sequence (bench/guide-urls.ts),
 * starting at `first` (so the sequence's URLs used for the warm-up are not
 * sent again).
 *
 *   node bench/guide-load.ts <origin> <sequence> <connections> <seconds> [first]
 *
 * Prints autocannon's result as JSON, with `urlsSent` and `distinctUrls`.
 */
import { createRequire } from 'node:module';
import { GUIDE_SEQUENCES, type GuideSequence } from './guide-urls.ts';

/** autocannon ships no types; this is the part of its API used here (autocannon README, "API"). */
type Autocannon = (opts: {
  url: string; connections: number; duration: number; timeout: number;
  requests: Array<{ setupRequest: (req: { path: string }) => { path: string } }>;
}) => Promise<unknown>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const [origin, name, connections, seconds, first] = process.argv.slice(2);
if (!Object.hasOwn(GUIDE_SEQUENCES, name!)) throw new Error(`unknown sequence ${JSON.stringify(name)}; known: ${Object.keys(GUIDE_SEQUENCES).join(', ')}`);
const urlAt = GUIDE_SEQUENCES[name as GuideSequence];
let i = Number(first ?? 0);
const start = i;
const sent = new Set<string>();
const result = await autocannon({
  url: origin!,
  connections: Number(connections),
  duration: Number(seconds),
  timeout: 60,
  requests: [{
    setupRequest: (req: { path: string }) => {
      const path = urlAt(i++);
      sent.add(path);
      return { ...req, path };
    },
  }],
});
console.log(JSON.stringify({ ...(result as object), urlsSent: i - start, distinctUrls: sent.size }));
