import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { findBenchmarks, formatBenchmarkList } from '../../../bench/run.ts';

const files = new Map<string, string>([
  ['store', `/**\n * Store benchmark (issue 2): insert throughput.\n * More detail.\n *\n *   node bench/store.ts [--rows 10]\n *                       [--keep]\n */\nimport x from './fd-limit.ts';\n`],
  ['week', `/**\n * A week.\n *\n * Usage: node --expose-gc bench/week.ts [--hours 168]\n */\nspawn(process.execPath, [join('bench', 'load.ts')]);\n`],
  ['load', `/**\n * The load generator of bench/week.ts.\n *\n *   node bench/load.ts <origin>\n */\n`],
  ['fd-limit', `export function fdLimit() {}\n`],
  ['notes', `/**\n * Shared data, no usage line.\n */\n`],
  ['run', `/**\n * The runner.\n *   node bench/run.ts\n */\n`],
]);

test('a benchmark has a usage line and is neither imported nor started by another bench file', () => {
  const found = findBenchmarks(files);
  assert.deepEqual(found.map((b) => b.name), ['store', 'week']);
  assert.deepEqual(found[0], {
    name: 'store',
    summary: 'Store benchmark (issue 2): insert throughput. More detail.',
    usage: ['node bench/store.ts [--rows 10]', '  [--keep]'],
    nodeFlags: [],
  });
  assert.deepEqual(found[1]!.nodeFlags, ['--expose-gc'], 'node flags of the usage line are used to run it');
});

test('the listing names each benchmark with its usage and says how to run one', () => {
  const text = formatBenchmarkList(findBenchmarks(files));
  assert.match(text, /^store\n {4}Store benchmark .*\n {4}node bench\/store\.ts \[--rows 10\]\n {6}\[--keep\]$/m);
  assert.match(text, /npm run bench -- <name> \[options\]/);
  assert.doesNotMatch(text, /^(load|fd-limit|notes|run)$/m);
});

test('every benchmark BENCHMARKS.md reports is one `npm run bench` lists and runs the same way', () => {
  const dir = new URL('../../../bench/', import.meta.url);
  const real = new Map(readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => [f.slice(0, -3), readFileSync(new URL(f, dir), 'utf8')]));
  const listed = new Map(findBenchmarks(real).map((b) => [b.name, b]));
  const doc = readFileSync(new URL('../../../BENCHMARKS.md', import.meta.url), 'utf8');
  const reported = [...doc.matchAll(/^## .*`node((?: --[\w-]+)*) bench\/([\w-]+)\.ts`/gm)];
  assert.ok(reported.length >= 5, 'BENCHMARKS.md headings name their command');
  for (const [, flags, name] of reported) {
    assert.ok(listed.has(name!), `bench/${name}.ts is reported in BENCHMARKS.md but not listed by npm run bench`);
    assert.deepEqual(listed.get(name!)!.nodeFlags, flags!.trim().split(/\s+/).filter(Boolean), `node flags of ${name}`);
  }
  for (const helper of ['load', 'fd-limit', 'run-queued', 'run']) assert.equal(listed.has(helper), false, `${helper} is not a benchmark`);
});
