/**
 * Prometheus metrics of the crawler (prom-client), in their own registry so
 * the server can mount it at `/metrics` next to anything else it exports:
 *
 * ```ts
 * import { crawlRegistry } from './metrics.ts';
 * // GET /metrics → res.setHeader('content-type', crawlRegistry.contentType); res.end(await crawlRegistry.metrics());
 * ```
 *
 * Labels come only from closed sets (protocol, snapshot status), so the
 * number of series stays bounded whatever the servers send.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CrawlObserver } from '../crawl/crawl-observer.ts';

/** The crawler's metrics and the observer that feeds them. */
export interface CrawlMetrics {
  registry: Registry;
  observer: CrawlObserver;
  probes: Counter<'protocol' | 'outcome'>;
  queueDepth: Gauge;
  probeSeconds: Histogram<'protocol'>;
  batchSeconds: Histogram;
  lastSuccessfulPass: Gauge;
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
  return { registry, observer, probes, queueDepth, probeSeconds, batchSeconds, lastSuccessfulPass };
}

/** The process-wide crawler metrics that `chatlas serve` exposes at /metrics. */
export const crawlMetrics: CrawlMetrics = createCrawlMetrics(new Registry(), { defaults: true });
/** The registry to mount at /metrics. */
export const crawlRegistry: Registry = crawlMetrics.registry;
