/**
 * The README's configuration table, generated from the configuration tables
 * themselves so the two cannot drift (tests/unit/lib/readme.test.ts).
 */
import { describeConfig, type ConfigTable } from './config-table.ts';

/** Markdown rows for the given layers. */
export function configMarkdown(layers: Array<[string, ConfigTable]>): string {
  const lines = ['| Environment | Flag | Default | What it sets |', '|---|---|---|---|'];
  for (const [layer, table] of layers) {
    for (const row of describeConfig(table)) {
      if (!row.env && !row.flag) continue;
      const cell = (s: string) => s.replaceAll('|', '\\|');
      lines.push(`| ${row.env ? `\`${row.env}\`` : ''} | ${row.flag ? `\`${row.flag}\`` : ''} | ${row.default ? `\`${cell(row.default)}\`` : ''} | ${cell(row.doc)} (${layer}) |`);
    }
  }
  return lines.join('\n');
}
