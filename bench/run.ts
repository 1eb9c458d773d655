/**
 * `npm run bench`: lists the benchmarks with what each measures and its
 * usage; `npm run bench -- <name> [options]` runs one (the same as
 * `node bench/<name>.ts [options]`). There is no "run them all": several take
 * tens of minutes and fill gigabytes, and their results are read one at a
 * time into BENCHMARKS.md.
 *
 * The list is found, not kept: a benchmark is a bench/*.ts file whose header
 * comment shows how to run it (`node bench/<name>.ts …`) and that no other
 * bench file imports or starts (those are helpers, such as load.ts, the
 * load generator the HTTP benchmarks start in their own process).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One runnable benchmark. */
export interface Benchmark {
  /** File name without `.ts`, e.g. `matrix-probe`. */
  name: string;
  /** The header's first paragraph: what it measures. */
  summary: string;
  /** The header's usage lines, as written (e.g. `node bench/store.ts [--rows 10000000] …`). */
  usage: string[];
  /** Node flags the usage line asks for (e.g. `--expose-gc`). */
  nodeFlags: string[];
}

/** The text of the leading `/** … *\/` comment, without the stars, or '' when there is none. */
function headerComment(source: string): string {
  const m = /^\s*\/\*\*([\s\S]*?)\*\//.exec(source);
  if (!m) return '';
  return m[1]!.split('\n').map((line) => line.replace(/^\s*\* ?/, '')).join('\n').trim();
}

/** Usage lines of `name` in its header: `node [flags] bench/<name>.ts …` and their continuation lines. */
function usageLines(header: string, name: string): string[] {
  const lines = header.split('\n');
  const start = lines.findIndex((line) => new RegExp(`\\bnode(\\s+--[\\w-]+)*\\s+bench/${name}\\.ts\\b`).test(line));
  if (start < 0) return [];
  const out = [lines[start]!.replace(/^\s*(Usage:\s*)?/, '')];
  // Continuation lines are indented further and start with an option bracket.
  for (const line of lines.slice(start + 1)) {
    if (!/^\s+\[/.test(line)) break;
    out.push(`  ${line.trim()}`);
  }
  return out;
}

/**
 * The benchmarks among `files` (name without `.ts` → source text).
 * Sorted by name; `run` (this runner) is never one.
 */
export function findBenchmarks(files: ReadonlyMap<string, string>): Benchmark[] {
  const referenced = (name: string) => [...files].some(([other, text]) => other !== name && new RegExp(`['"](\\./)?${name}\\.ts['"]`).test(text));
  const out: Benchmark[] = [];
  for (const [name, text] of files) {
    if (name === 'run' || referenced(name)) continue;
    const header = headerComment(text);
    const usage = usageLines(header, name);
    if (usage.length === 0) continue;
    // The first paragraph, and the next one when the first announces it (ends with a colon).
    const [first = '', second = ''] = header.split(/\n\s*\n/).map((p) => p.replace(/\s+/g, ' ').trim());
    const summary = first.endsWith(':') && !usageLines(second, name).length ? `${first} ${second}` : first;
    const nodeFlags = /\bnode((?:\s+--[\w-]+)*)\s+bench\//.exec(usage[0]!)?.[1]!.trim().split(/\s+/).filter(Boolean) ?? [];
    out.push({ name, summary, usage, nodeFlags });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Wrap `text` at `width` columns, each line prefixed with `indent`. */
function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** The listing `npm run bench` prints. */
export function formatBenchmarkList(benchmarks: readonly Benchmark[]): string {
  const out = ['Benchmarks (bench/*.ts). Results, with machine and date, go in BENCHMARKS.md and bench/results/.', ''];
  for (const b of benchmarks) {
    out.push(`${b.name}`, ...wrap(b.summary, 100, '    '), ...b.usage.map((u) => `    ${u}`), '');
  }
  out.push('Run one: npm run bench -- <name> [options]   (the same as node bench/<name>.ts [options])');
  return out.join('\n');
}

/** The bench/*.ts files of `dir`, by name without `.ts`. */
function readBenchFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.ts')) files.set(file.slice(0, -3), readFileSync(join(dir, file), 'utf8'));
  }
  return files;
}

/** List (no argument) or run one benchmark; resolves to the exit code. */
export async function main(argv: string[], dir = import.meta.dirname): Promise<number> {
  const benchmarks = findBenchmarks(readBenchFiles(dir));
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'list') {
    process.stdout.write(`${formatBenchmarkList(benchmarks)}\n`);
    return 0;
  }
  const bench = benchmarks.find((b) => b.name === name);
  if (!bench) {
    process.stderr.write(`bench: no benchmark ${JSON.stringify(name)}; there are: ${benchmarks.map((b) => b.name).join(', ')}\n`);
    return 2;
  }
  const child = spawn(process.execPath, [...bench.nodeFlags, join(dir, `${bench.name}.ts`), ...args], { stdio: 'inherit' });
  // Ctrl-C reaches the benchmark too (same process group): let it clean up and report its own exit.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    });
  } finally {
    process.off('SIGINT', ignore);
    process.off('SIGTERM', ignore);
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
