import { loadServerConfig } from '../config.ts';
import type { CommandSpec } from '../cli/command.ts';
import { openStore } from '../cli/open-store.ts';
import { crawlRegistry } from '../serve/metrics.ts';
import { createCrawler, federationIdentitySource, installApi, journalDirFor } from '../runtime.ts';
import { Scheduler } from '../crawl/scheduler.ts';
import { startServer } from '../serve/server.ts';
import { warmUp } from '../serve/warm-up.ts';
import { startHousekeeping } from '../rollup/housekeeping.ts';
import { startNetworkRollup } from '../rollup/network-rollup.ts';
import { compactRoomsCurrent } from '../../db/queries/rooms/compact-rooms-current.ts';
import { createOwnershipNet } from '../../registration/ownership-net.ts';
import { ensureSiteBuilt } from '../serve/site-build.ts';
import { createFederationEndpoint } from '../serve/federation-endpoint.ts';
import { loadFederationConfig } from '../../federation/config.ts';
import { CHATLAS_VERSION } from '../version.ts';
import { join } from 'node:path';
import { openRoomIndex } from '../../db/room-index/open-room-index.ts';
import { ROOM_INDEX_SNAPSHOT } from '../../db/room-index/snapshot.ts';
import { installRoomIndex, uninstallRoomIndex } from '../../db/room-index/room-index-slot.ts';

export const serveCommand: CommandSpec = {
  name: 'serve',
  summary: 'Serve the site, the API and /metrics, and run the crawl scheduler, in one process',
  help: `Usage: chatlas serve [--host H] [--port P] [--schedule on|off]

Opens the store (migrating it), builds the site if it is missing or older
than its sources, serves the site, the JSON API (/api/v1) and Prometheus
metrics (/metrics), and runs the crawl scheduler in the same process: passes
run as servers come due, never overlapping; every 6 hours unproven
registrations expire and opted-out domains are looked at again; every hour the
network rollup of closed days, weeks and months is brought up to date. SIGINT/SIGTERM stop cleanly: the
running probes finish and are stored, and the pass resumes at the next start.`,
  options: {},
  config: ['server', 'db', 'crawl', 'pass', 'federation'],
  async run(ctx) {
    const server = loadServerConfig({ env: ctx.env, flags: ctx.flags });
    await ensureSiteBuilt(ctx.logger);
    const db = await openStore(ctx, ctx.logger);
    // The room directory's search index: loaded from its snapshot (embedded store) or built from the store,
    // then kept in step (docs/room-search.md).
    const rooms = openRoomIndex(db, {
      snapshotPath: db.kind === 'embedded' ? join(db.location, ROOM_INDEX_SNAPSHOT) : undefined,
      onError: (error) => ctx.logger.error({ err: error }, 'room index refresh failed'),
    });
    installRoomIndex(db, rooms);
    void rooms.ready.then(
      () => ctx.logger.info({ rooms: rooms.index.size, ms: Math.round(rooms.buildMs ?? 0), from: rooms.source }, 'room index ready'),
      (error: unknown) => ctx.logger.error({ err: error }, 'room index build failed'),
    );
    const identity = await federationIdentitySource(db, { env: ctx.env, flags: ctx.flags }, ctx.logger);
    const crawler = createCrawler({ db, logger: ctx.logger, sources: { env: ctx.env, flags: ctx.flags }, ...(identity ? { identity } : {}) });
    const scheduler = server.schedule === 'on'
      ? new Scheduler({ runPass: ({ signal, hints, history }) => crawler.runPass({ signal, hints, history, journalDir: journalDirFor(db, '') }), logger: ctx.logger })
      : undefined;
    let running;
    try {
      const federation = await createFederationEndpoint({
        db, net: crawler.net, config: loadFederationConfig({ env: ctx.env, flags: ctx.flags }), normalise: crawler.normalise, version: CHATLAS_VERSION, logger: ctx.logger,
        ...(identity ? { identity } : {}),
      });
      running = await startServer({
        db, host: server.host, port: server.port, trustedProxies: server.trustedProxies, logger: ctx.logger, scheduler, metrics: crawlRegistry,
        configure: (store) => installApi(store, crawler),
        ...(federation ? { federation: federation.handler } : {}),
      });
    } catch (error) {
      await crawler.close();
      await uninstallRoomIndex(db);
      await db.close();
      throw error;
    }
    // The network rollup (closed days, weeks, months) first, so the warmed pages read it; its first
    // round on an old store backfills history, bucket by bucket.
    const rollup = startNetworkRollup({
      db,
      onRound: (round) => ctx.logger.info(round, 'network rollup'),
      onError: (error) => ctx.logger.error({ err: error }, 'network rollup failed'),
    });
    // Then the room directory merged to one row per room (housekeeping repeats it every 6 h), then the warm-up.
    void rollup.first
      .then(() => compactRoomsCurrent(db).catch((error: unknown) => ctx.logger.error({ err: error }, 'rooms_current compaction failed')))
      .then(() => warmUp(running.url, ctx.logger));
    scheduler?.start();
    // Upkeep beside the passes: expire unproven registrations, look again at opt-outs (every 6 h).
    const upkeep = server.schedule === 'on'
      ? startHousekeeping({
        db, net: createOwnershipNet(crawler.net), intervalMs: 6 * 3_600_000,
        onRound: (round) => ctx.logger.info(round, 'housekeeping'),
        onError: (error) => ctx.logger.error({ err: error }, 'housekeeping failed'),
      })
      : undefined;
    ctx.stderr.write(`chatlas: serving on ${running.url} (store: ${db.kind} at ${db.location}; scheduler ${server.schedule})\n`);
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    ctx.logger.info('stopping');
    upkeep?.stop();
    rollup.stop();
    await running.close();
    await crawler.close();
    // The index as it is now, so the next start loads it and reads only what is written meanwhile.
    if (rooms.buildMs !== undefined) await rooms.save().catch((error: unknown) => ctx.logger.error({ err: error }, 'room index snapshot failed'));
    await uninstallRoomIndex(db);
    await db.close();
    return 0;
  },
};
