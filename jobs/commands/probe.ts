import { randomUUID } from 'node:crypto';
import { createNetContext, loadCrawlConfig, probeDomain } from '../../crawler/index.ts';
import type { Protocol, ProbeResult } from '../../crawler/types.ts';
import type { CommandSpec } from '../cli/command.ts';
import { UsageError } from '../cli/errors.ts';
import { openStore } from '../cli/open-store.ts';
import { formatProbe, probeResultJson } from '../report/format-probe.ts';

export const probeCommand: CommandSpec = {
  name: 'probe',
  summary: 'Probe one domain now and print a report (--json for machines)',
  help: `Usage: chatlas probe <domain> [--protocol xmpp|matrix|both] [--json] [--store]

Discovers and probes the domain's XMPP and/or Matrix service the way a crawl
does (robots.txt, address guard and limits included) and prints what it
found: software, registration, TLS and DNS health with fixes, public rooms,
and every step with its outcome and time. --store also writes the result
into the store. Exit code 4 when no protocol answered.`,
  options: {
    protocol: { type: 'string', default: 'both' },
    json: { type: 'boolean', default: false },
    store: { type: 'boolean', default: false },
  },
  config: ['crawl', 'db'],
  async run(ctx) {
    const domain = ctx.positionals[0];
    if (!domain || ctx.positionals.length > 1) throw new UsageError('probe takes exactly one domain');
    const which = String(ctx.flags.protocol);
    if (!['xmpp', 'matrix', 'both'].includes(which)) throw new UsageError(`--protocol=${JSON.stringify(which)} must be xmpp, matrix or both`);
    const protocols: Protocol[] = which === 'both' ? ['matrix', 'xmpp'] : [which as Protocol];
    const config = loadCrawlConfig({ env: ctx.env, flags: ctx.flags });
    const net = createNetContext(config);
    const passId = randomUUID();
    const results: ProbeResult[] = [];
    try {
      for (const protocol of protocols) {
        results.push(await probeDomain(net, domain, protocol, { passId, now: new Date() }));
      }
    } finally {
      await net.close();
    }
    if (ctx.flags.store) {
      const db = await openStore(ctx, ctx.logger);
      try {
        const { insertProbeResults } = await import('../../db/queries/observations/insert-probe-results.ts');
        await insertProbeResults(db, results);
      } finally {
        await db.close();
      }
    }
    ctx.stdout.write(ctx.flags.json ? `${probeResultJson(results)}\n` : `${results.map(formatProbe).join('\n\n')}\n`);
    return results.some((r) => r.snapshot.status === 'ok') ? 0 : 4;
  },
};
