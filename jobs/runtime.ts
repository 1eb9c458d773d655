/**
 * Composition of the long-lived parts, shared by `chatlas crawl`, `serve` and
 * `demo`: the store, the network context, the crawl pass with its probes,
 * metrics and progress, and the API's run-time dependencies.
 */
import { createIdentitySource, crawlerIdentity, type IdentitySource } from '../federation/identity-source.ts';
import { loadFederationConfig } from '../federation/config.ts';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createNetContext, loadCrawlConfig, probeDomain, type CrawlConfig, type NetContext } from '../crawler/index.ts';
import type { Db } from '../db/client.ts';
import type { ConfigSources } from '../lib/config-table.ts';
import { configureApi, defaultLimiters } from '../site/lib/api/deps.ts';
import { runCrawlPass, type CrawlOptions, type PassSummary } from './crawl/crawl.ts';
import { combineObservers, type CrawlObserver } from './crawl/crawl-observer.ts';
import { loadSeeds, type Seed } from './crawl/frontier/load-seeds.ts';
import { DEFAULT_RESERVED_TLDS, type NormaliseOptions } from '../crawler/discover/domain-name.ts';
import { loadPassConfig } from './config.ts';
import { crawlMetrics } from './serve/metrics.ts';
import { RequestBudget } from '../crawler/net/request-budget.ts';
import { createOwnershipNet } from '../registration/ownership-net.ts';
import { OptOutGate } from './crawl/opt-out-gate.ts';
import { optedOutResult } from './crawl/opted-out-result.ts';

/** The crawl side, ready to run passes. */
export interface Crawler {
  config: CrawlConfig;
  net: NetContext;
  seeds: Seed[];
  /** The frontier's domain rules; registration uses the same, so what can be registered is what is probed. */
  normalise: NormaliseOptions;
  /** Chatlas's Matrix federation identity, when configured. */
  identity?: IdentitySource;
  /** Run (or resume) one pass. */
  runPass(options?: CrawlOptions, observer?: CrawlObserver): Promise<PassSummary>;
  close(): Promise<void>;
}

/** Options of {@link createCrawler}. */
export interface CreateCrawlerOptions {
  db: Db;
  logger: Logger;
  sources: ConfigSources;
  /** Programmatic config fields (the demo's test CA). */
  overrides?: Partial<CrawlConfig>;
  /** Extra seeds (the demo's simulated domains). */
  extraSeeds?: Seed[];
  /** Folder of this worker's write-ahead batch journal. */
  journalDir?: string;
  /** Chatlas's Matrix federation identity, when configured: the Matrix probe signs its federation directory reads with it. */
  identity?: IdentitySource;
}

/** Build the crawl side from the configuration. */
export function createCrawler(options: CreateCrawlerOptions): Crawler {
  const config = loadCrawlConfig(options.sources, options.overrides);
  const frontier = loadPassConfig(options.sources);
  const normalise: NormaliseOptions = { reservedTlds: DEFAULT_RESERVED_TLDS.filter((tld) => !frontier.allowTlds.includes(tld)) };
  const list = loadSeeds({ extraFile: config.seedsFile || undefined, shipped: frontier.shippedSeeds === 'on', normalise });
  // The request budget counts into /metrics (issue 12 item 2): every request, every refusal, the most asked servers.
  const budget = new RequestBudget({ dailyLimit: config.dailyRequestBudget, ...crawlMetrics.budgetHooks });
  crawlMetrics.watchBudget(budget);
  const net = createNetContext(config, { budget });
  const gate = new OptOutGate(options.db, createOwnershipNet(net));
  for (const refused of list.refused) {
    options.logger.warn({ file: refused.file, line: refused.line, text: refused.text, reason: refused.reason }, 'seed refused');
  }
  const seeds = [...list.seeds, ...(options.extraSeeds ?? [])];
  return {
    config,
    net,
    seeds,
    normalise,
    ...(options.identity ? { identity: options.identity } : {}),
    runPass(passOptions = {}, observer) {
      return runCrawlPass(
        {
          db: options.db,
          probe: async (domain, protocol, o) => {
            // Opt-out without registration: looked at before any probe of the domain.
            const optedOut = await gate.check(o.passId, domain, o.now);
            if (optedOut) return optedOutResult(o.passId, domain, protocol, o.now, optedOut);
            const federation = protocol === 'matrix' && options.identity ? await crawlerIdentity(options.identity) : undefined;
            // The plan's kinds of fact, the server's stored request log and pace (issue 12 items 1, 2, and its lowered budget).
            const { plan, ...rest } = o;
            return probeDomain(net, domain, protocol, { ...rest, ...(plan ? { due: plan.due, requestLog: plan.requestLog, pace: plan.pace, lastRegistration: plan.lastRegistration } : {}), ...(federation ? { federation } : {}) });
          },
          seeds,
          observer: combineObservers(crawlMetrics.observer, observer),
          logger: options.logger,
        },
        {
          concurrency: config.globalConcurrency,
          probesPerSecond: frontier.probesPerSecond,
          normalise,
          journalDir: options.journalDir,
          ...passOptions,
        },
      );
    },
    close: () => net.close(),
  };
}

/** The journal folder of a worker: beside the embedded store, or under the system temp folder for a server store. */
export function journalDirFor(db: Db, shard: string): string {
  const base = db.kind === 'embedded' ? db.location : join(tmpdir(), 'chatlas-journal');
  return join(base, 'journal', shard.replace('/', 'of') || 'all');
}

/** Install the API's dependencies: the store, limits, cursor key and the guarded ownership network. */
export function installApi(db: Db, crawler: Crawler, cursorKey: Uint8Array = randomBytes(32)): void {
  configureApi({
    db,
    ...defaultLimiters(),
    cursorKey,
    registration: {
      net: createOwnershipNet(crawler.net),
      normalise: crawler.normalise,
      // The immediate probe of a new registration: Matrix first, XMPP when Matrix finds no server; a failing
      // XMPP server is the answer when the domain shows no sign of Matrix (crawler/probe/protocol-sign.ts).
      probe: async (domain, signal) => {
        const passId = crypto.randomUUID();
        const federation = crawler.identity ? await crawlerIdentity(crawler.identity) : undefined;
        const matrix = await probeDomain(crawler.net, domain, 'matrix', { passId, signal, ...(federation ? { federation } : {}) });
        if (matrix.snapshot.status === 'ok') return matrix;
        const xmpp = await probeDomain(crawler.net, domain, 'xmpp', { passId, signal });
        return xmpp.snapshot.status === 'ok' || (matrix.snapshot.status === 'not-a-server' && xmpp.snapshot.status !== 'not-a-server') ? xmpp : matrix;
      },
    },
    now: () => new Date(),
  });
}

/**
 * The federation identity of a command that crawls (serve, crawl), when CHATLAS_MATRIX_SERVER_NAME
 * is set: created in the store on the very first start, then shared by every process of the store.
 */
export async function federationIdentitySource(db: Db, sources: ConfigSources, logger: Logger): Promise<IdentitySource | undefined> {
  const config = loadFederationConfig(sources);
  if (!config.matrixServerName) return undefined;
  const source = await createIdentitySource(db, config.matrixServerName, {
    onChange: (next, previous) => logger.info({ serverName: next.serverName, keyId: next.current.keyId, previous: previous.current.keyId }, 'federation key rotated'),
    onError: (error) => logger.error({ err: error }, 'could not read the federation identity again; keeping the current key'),
  });
  logger.info({ serverName: config.matrixServerName, keyId: (await source.current()).current.keyId }, 'federation identity');
  return source;
}
