import type { CommandSpec } from '../cli/command.ts';
import { UsageError } from '../cli/errors.ts';
import { openStore } from '../cli/open-store.ts';
import { createProgress } from '../crawl/progress.ts';
import { createCrawler, federationIdentitySource, journalDirFor } from '../runtime.ts';
import { formatShard, parseShard, WHOLE } from '../crawl/shard.ts';

export const crawlCommand: CommandSpec = {
  name: 'crawl',
  summary: 'Run one crawl pass now over the seeds, known domains and/or given domains',
  help: `Usage: chatlas crawl [domain…] [--shard i/n] [--limit N]

Runs one pass: plans the frontier (shipped seeds, CHATLAS_SEEDS, discovered
domains and registrations, minus opt-outs), probes each due server politely
and stores every observation. Given domains are probed now, due or not.
A pass killed at any moment resumes on the next run, without losing what
was stored and without counting anything twice.

With --shard i/n (1 <= i <= n), this worker takes the domains whose stable
hash falls in shard i of n, so n workers on one ClickHouse server cover every
domain exactly once (docs/scale-out.md).

Progress: a live bar on a terminal, JSON lines otherwise. Exit 0 when the
pass finished, 1 when it was stopped (it resumes on the next run).`,
  options: {
    shard: { type: 'string' },
    limit: { type: 'string' },
  },
  config: ['crawl', 'pass', 'db', 'federation'],
  async run(ctx) {
    let shard = WHOLE;
    if (typeof ctx.flags.shard === 'string') {
      try {
        shard = parseShard(ctx.flags.shard);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    let limit: number | undefined;
    if (typeof ctx.flags.limit === 'string') {
      limit = Number(ctx.flags.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit=${JSON.stringify(ctx.flags.limit)} must be a whole number of servers, at least 1`);
    }
    const db = await openStore(ctx, ctx.logger);
    const identity = await federationIdentitySource(db, { env: ctx.env, flags: ctx.flags }, ctx.logger);
    const crawler = createCrawler({ db, logger: ctx.logger, sources: { env: ctx.env, flags: ctx.flags }, ...(identity ? { identity } : {}) });
    const progress = createProgress({ stream: ctx.stdout as NodeJS.WriteStream, logger: ctx.logger, logOutput: ctx.logOutput });
    try {
      const summary = await crawler.runPass({
        shard,
        limit,
        only: ctx.positionals.length > 0 ? ctx.positionals : undefined,
        signal: ctx.signal,
        journalDir: journalDirFor(db, formatShard(shard)),
      }, progress);
      progress.stop();
      if (summary.planned === 0 && summary.probed === 0) {
        const next = summary.plan.nextDueAt;
        ctx.stdout.write(`nothing is due now${next ? `; the next server is due at ${next.toISOString()}` : ''}\n`);
        return 0;
      }
      const outcomes = Object.entries(summary.byStatus).map(([k, v]) => `${v} ${k}`).join(', ') || 'nothing due';
      ctx.stdout.write(`pass ${summary.passId}${summary.resumed ? ' (resumed)' : ''} ${summary.state}: ${summary.probed} probed (${outcomes}), `
        + `${summary.alreadyDone} already done, ${summary.discoveredAccepted} new domains found, ${(summary.durationMs / 1000).toFixed(1)} s\n`);
      return summary.state === 'done' ? 0 : 1;
    } finally {
      progress.stop();
      await crawler.close();
      await db.close();
    }
  },
};
