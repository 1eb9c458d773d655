import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '../../db/client.ts';
import { loadDbConfig } from '../../db/config.ts';
import { migrate } from '../../db/migrate.ts';
import type { CommandSpec } from '../cli/command.ts';
import { loadServerConfig } from '../config.ts';
import { crawlRegistry } from '../serve/metrics.ts';
import { createCrawler, installApi } from '../runtime.ts';
import { startServer } from '../serve/server.ts';
import { ensureSiteBuilt } from '../serve/site-build.ts';

/** The demo's own /16 of loopback (CONTRIBUTING.md address plan). */
const DEMO_PREFIX = '127.55';

export const demoCommand: CommandSpec = {
  name: 'demo',
  summary: 'Start a simulated federation on loopback, crawl it into a fresh store and serve the site',
  help: `Usage: chatlas demo [--host H] [--port P]

Shows Chatlas working in a minute without touching the internet. Everything
stays on 127.0.0.0/8: our own DNS server on ${DEMO_PREFIX}.0.53, simulated
homeservers (Synapse, Dendrite, Conduit, conduwuit, continuwuity, Tuwunel)
and XMPP servers (Prosody, ejabberd, Snikket, Openfire, with an observer
account on a simulated home server), each on its own ${DEMO_PREFIX}.x.y address
with a certificate from a throwaway test CA, a fresh embedded store in a temp
folder, one crawl pass, and the site and API on HOST:PORT. Ctrl-C stops it
and removes the temp store.`,
  options: {},
  config: ['server'],
  async run(ctx) {
    const server = loadServerConfig({ env: ctx.env, flags: ctx.flags });
    await ensureSiteBuilt(ctx.logger);
    const dir = mkdtempSync(join(tmpdir(), 'chatlas-demo-'));
    // Loaded here, not at the top: every other command (serve included) never loads the simulation.
    const { startSimFederation } = await import('../../sim/sim-federation.ts');
    const sim = await startSimFederation({ prefix: DEMO_PREFIX });
    const db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: join(dir, 'data') } }));
    const cleanup: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true }), () => sim.close(), () => db.close()];
    try {
      await migrate(db);
      // The crawl sees only the simulated federation: its DNS server, its addresses, its CA.
      const crawler = createCrawler({
        db,
        logger: ctx.logger,
        sources: { env: { ...sim.crawlEnv, CHATLAS_SHIPPED_SEEDS: 'off', CHATLAS_ALLOW_TLDS: 'test' } },
        overrides: { extraCaPems: [sim.caPem] },
        extraSeeds: [
          ...sim.matrixDomains.map((domain) => ({ domain, protocol: 'matrix' as const, source: 'chatlas demo' })),
          ...sim.xmppDomains.map((domain) => ({ domain, protocol: 'xmpp' as const, source: 'chatlas demo' })),
        ],
      });
      cleanup.unshift(() => crawler.close());
      ctx.stderr.write(`chatlas demo: crawling ${sim.matrixDomains.length + sim.xmppDomains.length} simulated servers on ${DEMO_PREFIX}.0.0/16 …\n`);
      const summary = await crawler.runPass({ journalDir: join(dir, 'journal'), signal: ctx.signal });
      const outcomes = Object.entries(summary.byStatus).map(([k, v]) => `${v} ${k}`).join(', ');
      ctx.stderr.write(`chatlas demo: ${summary.probed} servers probed (${outcomes}), ${summary.discoveredAccepted} found along the way\n`);
      const running = await startServer({
        db, host: server.host, port: server.port, trustedProxies: server.trustedProxies, logger: ctx.logger, metrics: crawlRegistry,
        configure: (store) => installApi(store, crawler),
      });
      cleanup.unshift(() => running.close());
      ctx.stdout.write(`chatlas demo: open ${running.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) return resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      return 0;
    } finally {
      for (const step of cleanup) {
        try {
          await step();
        } catch (error) {
          ctx.logger.warn({ err: error }, 'demo cleanup step failed');
        }
      }
    }
  },
};
