// Prints the README's configuration table: node scripts/config-table.ts
import { configMarkdown } from '../lib/config-markdown.ts';
import { dbConfigTable } from '../db/config.ts';
import { crawlConfigTable } from '../crawler/config.ts';
import { passConfigTable, serverConfigTable } from '../jobs/config.ts';
import { logConfigTable } from '../jobs/cli/log-config.ts';
import { federationConfigTable } from '../federation/config.ts';
import type { ConfigTable } from '../lib/config-table.ts';

export const README_LAYERS: Array<[string, ConfigTable]> = [
  ['store', dbConfigTable],
  ['server', serverConfigTable as unknown as ConfigTable],
  ['crawler', crawlConfigTable as unknown as ConfigTable],
  ['crawl passes', passConfigTable as unknown as ConfigTable],
  ['federation', federationConfigTable as unknown as ConfigTable],
  ['every command', logConfigTable as unknown as ConfigTable],
];

if (import.meta.main) process.stdout.write(`${configMarkdown(README_LAYERS)}\n`);
