import { loadFederationConfig } from '../../federation/config.ts';
import { crawlerIdentity } from '../../federation/identity-source.ts';
import { federationIdentitySource } from '../runtime.ts';
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
  config: ['crawl', 'db', 'federation'],
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
    // With a federation identity the Matrix probe signs its federation directory reads: its key is in the store.
    const signs = protocols.includes('matrix') && loadFederationConfig({ env: ctx.env, flags: ctx.flags }).matrixServerName !== '';
    const db = signs || ctx.flags.store ? await openStore(ctx, ctx.logger) : null;
    try {
      const identity = db && signs ? await federationIdentitySource(db, { env: ctx.env, flags: ctx.flags }, ctx.logger) : undefined;
      const federation = identity ? await crawlerIdentity(identity) : undefined;
      try {
        for (const protocol of protocols) {
          results.push(await probeDomain(net, domain, protocol, { passId, now: new Date(), ...(federation && protocol === 'matrix' ? { federation } : {}) }));
        }
      } finally {
        await net.close();
      }
      if (db && ctx.flags.store) {
        const { insertProbeResults } = await import('../../db/queries/observations/insert-probe-results.ts');
        await insertProbeResults(db, results);
      }
    } finally {
      await db?.close();
    }
    ctx.stdout.write(ctx.flags.json ? `${probeResultJson(results)}\n` : `${results.map(formatProbe).join('\n\n')}\n`);
    return results.some((r) => r.snapshot.status === 'ok') ? 0 : 4;
  },
};
