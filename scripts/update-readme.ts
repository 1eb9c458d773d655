// Rewrites the generated configuration table in README.md: node scripts/update-readme.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { configMarkdown } from '../lib/config-markdown.ts';
import { README_LAYERS } from './config-table.ts';
import { replaceConfigSection } from '../lib/readme-section.ts';

const path = new URL('../README.md', import.meta.url);
writeFileSync(path, replaceConfigSection(readFileSync(path, 'utf8'), configMarkdown(README_LAYERS)));
