import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configMarkdown } from '../../../lib/config-markdown.ts';
import { configSection } from '../../../lib/readme-section.ts';
import { README_LAYERS } from '../../../scripts/config-table.ts';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

test('the README configuration table matches the code (run scripts/update-readme.ts)', () => {
  assert.equal(configSection(readme), configMarkdown(README_LAYERS));
});

test('the README gives the two newcomer commands that package.json defines', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
  assert.match(readme, /```sh\nnpm install && npm start\n```/);
  assert.match(readme, /```sh\nnpm test\n```/);
  assert.ok(pkg.scripts.start && pkg.scripts.test);
  const ci = readFileSync(new URL('../../../.ci/run', import.meta.url), 'utf8');
  assert.match(ci, /^npm test$/m, '.ci/run runs the README test command');
});
