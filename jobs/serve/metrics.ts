/**
 * Prometheus metrics of the crawler (prom-client), in their own registry so
 * the server can mount it at `/metrics` next to anything else it exports:
 *
 * ```ts
 * import { crawlRegistry } from './metrics.ts';
 * // GET /metrics → res.setHeader('content-type', crawlRegistry.contentType); res.end(await crawlRegistry.metrics());
 * ```
 *
 * Labels come only from closed sets (protocol, snapshot status, request
 * channel), so the number of series stays bounded whatever the servers send;
 * the one exception is `chatlas_server_requests_24h`, labelled by server name
 * but only for the {@link TOP_SERVERS} servers Chatlas asked most in the last
 * 24 hours (the server page shows the count of every server).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CrawlObserver } from '../crawl/crawl-observer.ts';
import type { RequestBudget, RequestBudgetOptions } from '../../crawler/net/request-budget.ts';

/** Servers named in `chatlas_server_requests_24h`: the most asked, so the series stay few. @default 20 */
export const TOP_SERVERS = 20;

/** The crawler's metrics and the observer that feeds them. */
export interface CrawlMetrics {
  registry: Registry;
  observer: CrawlObserver;
  probes: Counter<'protocol' | 'outcome'>;
  queueDepth: Gauge;
  probeSeconds: Histogram<'protocol'>;
  batchSeconds: Histogram;
  lastSuccessfulPass: Gauge;
  /** Hooks for the crawl's request budget (crawler/net/request-budget.ts): every request and refusal counted. */
  budgetHooks: Required<Pick<RequestBudgetOptions, 'onRequest' | 'onRefused'>>;
  /** Read the per-server counts of `budget` at each scrape (the most asked servers, the largest count). */
  watchBudget(budget: RequestBudget): void;
}

/**
 * Create the metrics in `registry`.
 * @param options.defaults also collect Node's process metrics (memory, event loop lag). @default false
 */
export function createCrawlMetrics(registry: Registry = new Registry(), options: { defaults?: boolean } = {}): CrawlMetrics {
  if (options.defaults) collectDefaultMetrics({ register: registry, prefix: 'chatlas_' });
  const probes = new Counter({
    name: 'chatlas_probes_total', help: 'Server probes finished, by protocol and outcome (snapshot status).',
    labelNames: ['protocol', 'outcome'] as const, registers: [registry],
  });
  const queueDepth = new Gauge({ name: 'chatlas_crawl_queue_depth', help: 'Servers waiting in the crawl queue.', registers: [registry] });
  const probeSeconds = new Histogram({
    name: 'chatlas_probe_duration_seconds', help: 'Duration of one server probe.', labelNames: ['protocol'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'chatlas_store_batch_duration_seconds', help: 'Duration of one batched insert of probe results.',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
  });
  const batchServers = new Counter({ name: 'chatlas_stored_servers_total', help: 'Server results acknowledged by the store.', registers: [registry] });
  const discoveries = new Counter({
    name: 'chatlas_discoveries_total', help: 'Domains found during passes, by whether they were accepted into the frontier.',
    labelNames: ['accepted'] as const, registers: [registry],
  });
  const lastSuccessfulPass = new Gauge({
    name: 'chatlas_last_successful_pass_timestamp_seconds', help: 'Unix time at which the last pass finished every planned server.', registers: [registry],
  });
  const passesTotal = new Counter({ name: 'chatlas_passes_total', help: 'Passes ended, by state.', labelNames: ['state'] as const, registers: [registry] });
  // Issue 12 item 2: what Chatlas sends servers, counted by the network layer's budget.
  const requests = new Counter({
    name: 'chatlas_requests_total', help: 'Requests sent to probed servers: HTTP requests and redirect hops, connections, stream queries, observer queries about them.',
    labelNames: ['protocol', 'channel'] as const, registers: [registry],
  });
  const refused = new Counter({
    name: 'chatlas_requests_refused_total', help: 'Requests not sent because the server\'s daily request budget was spent.', labelNames: ['protocol'] as const, registers: [registry],
  });
  let watched: RequestBudget | undefined;
  new Gauge({
    name: 'chatlas_server_requests_24h', help: `Requests sent to a server in the last 24 hours, for the ${TOP_SERVERS} servers asked most.`,
    labelNames: ['protocol', 'server'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const u of watched?.top(TOP_SERVERS) ?? []) {
        const [protocol = '', server = ''] = splitKey(u.server);
        this.set({ protocol, server }, u.used);
      }
    },
  });
  new Gauge({
    name: 'chatlas_server_requests_24h_max', help: 'The most requests sent to any one server in the last 24 hours (its budget bounds it).', registers: [registry],
    collect() {
      this.set(watched?.top(1)[0]?.used ?? 0);
    },
  });
  const observer: CrawlObserver = {
    probeFinished: ({ protocol, status, durationMs }) => {
      probes.inc({ protocol, outcome: status });
      probeSeconds.observe({ protocol }, durationMs / 1000);
    },
    queueDepth: (depth) => queueDepth.set(depth),
    batchStored: ({ servers, durationMs }) => {
      batchServers.inc(servers);
      batchSeconds.observe(durationMs / 1000);
    },
    discovered: ({ accepted }) => discoveries.inc({ accepted: accepted ? 'yes' : 'no' }),
    passFinished: ({ state, finishedAt }) => {
      passesTotal.inc({ state });
      if (state === 'done') lastSuccessfulPass.set(Math.floor(finishedAt.getTime() / 1000));
      queueDepth.set(0);
    },
  };
  return {
    registry, observer, probes, queueDepth, probeSeconds, batchSeconds, lastSuccessfulPass,
    budgetHooks: {
      onRequest: (server, channel) => requests.inc({ protocol: splitKey(server)[0], channel }),
      onRefused: (server) => refused.inc({ protocol: splitKey(server)[0] }),
    },
    watchBudget(budget) {
      watched = budget;
    },
  };
}

/** `protocol:domain` → [protocol, domain]; the protocol is one of two, so it stays a closed label. */
function splitKey(key: string): [string, string] {
  const at = key.indexOf(':');
  const protocol = key.slice(0, at);
  return [protocol === 'matrix' || protocol === 'xmpp' ? protocol : 'other', key.slice(at + 1)];
}

/** The process-wide crawler metrics that `chatlas serve` exposes at /metrics. */
export const crawlMetrics: CrawlMetrics = createCrawlMetrics(new Registry(), { defaults: true });
/** The registry to mount at /metrics. */
export const crawlRegistry: Registry = crawlMetrics.registry;
