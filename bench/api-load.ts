/**
 * The load generator of bench/api.ts, run as its own process so it does not
 * share the server's event loop: autocannon against `origin`, cycling through
 * `paths` (one path = the same URL every time; many = a mix that defeats the
 * response cache, as distinct searches do).
 *
 *   node bench/api-load.ts <origin> <paths.json> <connections> <seconds>
 *
 * Prints autocannon's result as JSON.
 */
import { createRequire } from 'node:module';

/** autocannon ships no types; this is the part of its API used here (autocannon README, "API"). */
type Autocannon = (opts: {
  url: string; connections: number; duration: number; timeout: number;
  requests: Array<{ setupRequest: (req: { path: string }) => { path: string } }>;
}) => Promise<unknown>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const [origin, pathsJson, connections, seconds] = process.argv.slice(2);
const paths = JSON.parse(pathsJson!) as string[];
let i = 0;
const result = await autocannon({
  url: origin!,
  connections: Number(connections),
  duration: Number(seconds),
  timeout: 30,
  requests: [{ setupRequest: (req: { path: string }) => ({ ...req, path: paths[i++ % paths.length]! }) }],
});
console.log(JSON.stringify(result));
