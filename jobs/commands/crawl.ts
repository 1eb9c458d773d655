import type { CommandSpec } from '../cli/command.ts';
import { NotBuiltError } from '../cli/errors.ts';

export const crawlCommand: CommandSpec = {
  name: 'crawl',
  summary: 'Run one crawl pass now over the seeds, known domains and/or given domains',
  help: `Usage: chatlas crawl [domain…] [--shard i/n] [--seeds FILE]

Runs one pass: plans the frontier (seeds, discovered domains, registrations,
minus opt-outs), probes each due server politely and stores every
observation. A pass killed at any moment resumes on the next run.`,
  options: { shard: { type: 'string' } },
  config: ['crawl', 'db'],
  async run() {
    throw new NotBuiltError('crawl passes are not built yet in this version of Chatlas (use `chatlas probe <domain> --store`)');
  },
};
