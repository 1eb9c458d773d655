/**
 * Seed domains: the shipped lists (`seeds/xmpp.txt`, `seeds/matrix.txt`) and
 * an optional operator file (`CHATLAS_SEEDS`). Seeds are data: each line is a
 * name and, after `# source:`, where the name came from.
 *
 * Line format: `domain [xmpp|matrix] [# source: KEY | # any comment]`. The
 * protocol column is optional in an operator file (both protocols are then
 * tried); the shipped files take it from their file name.
 */
import { readFileSync } from 'node:fs';
import { PROTOCOLS, type Protocol } from '../../../crawler/types.ts';
import { normaliseDomain, type DomainRefusal, type NormaliseOptions } from '../../../crawler/discover/domain-name.ts';

/** One seed, normalised. */
export interface Seed {
  domain: string;
  /** `null`: not said; the frontier tries both protocols. */
  protocol: Protocol | null;
  /** Where the name came from (the `# source:` key), '' when not given. */
  source: string;
}

/** A line that did not give a usable seed. */
export interface RefusedSeed {
  file: string;
  line: number;
  text: string;
  reason: DomainRefusal | 'bad-protocol';
}

/** Seeds parsed from some files, with every refused line. */
export interface SeedList {
  seeds: Seed[];
  refused: RefusedSeed[];
}

/** The folder of the shipped seed files. */
export const SHIPPED_SEEDS_DIR = new URL('../../../seeds/', import.meta.url).pathname;

/** The shipped seed files and the protocol each lists. */
export const SHIPPED_SEED_FILES: ReadonlyArray<{ file: string; protocol: Protocol }> = [
  { file: `${SHIPPED_SEEDS_DIR}xmpp.txt`, protocol: 'xmpp' },
  { file: `${SHIPPED_SEEDS_DIR}matrix.txt`, protocol: 'matrix' },
];

/**
 * Parse the text of one seeds file (pure).
 * @param file name used in refusal reports.
 * @param protocol the protocol of every line, or `null` to read it from the second column.
 */
export function parseSeeds(text: string, file: string, protocol: Protocol | null, options: NormaliseOptions = {}): SeedList {
  const out: SeedList = { seeds: [], refused: [] };
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (const [i, rawLine] of lines.entries()) {
    const hash = rawLine.indexOf('#');
    const body = (hash >= 0 ? rawLine.slice(0, hash) : rawLine).trim();
    if (body === '') continue;
    const comment = hash >= 0 ? rawLine.slice(hash + 1).trim() : '';
    const source = /^source:\s*(\S+)/.exec(comment)?.[1] ?? '';
    const [name = '', proto] = body.split(/\s+/);
    let lineProtocol: Protocol | null = protocol;
    if (proto !== undefined) {
      if (!(PROTOCOLS as readonly string[]).includes(proto) || (protocol !== null && proto !== protocol)) {
        out.refused.push({ file, line: i + 1, text: rawLine.trim(), reason: 'bad-protocol' });
        continue;
      }
      lineProtocol = proto as Protocol;
    }
    const n = normaliseDomain(name, { ...options, ...(lineProtocol ? { protocol: lineProtocol } : {}) });
    if (!n.ok) {
      out.refused.push({ file, line: i + 1, text: rawLine.trim(), reason: n.reason });
      continue;
    }
    const key = `${n.domain}\0${lineProtocol ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.seeds.push({ domain: n.domain, protocol: lineProtocol, source });
  }
  return out;
}

/**
 * Read the shipped seed files and, when given, an operator file.
 * @throws {Error} when a file cannot be read (a missing CHATLAS_SEEDS file is a user mistake worth stopping for).
 */
export function loadSeeds(options: { extraFile?: string; shipped?: boolean; normalise?: NormaliseOptions } = {}): SeedList {
  const files: Array<{ file: string; protocol: Protocol | null }> = options.shipped === false ? [] : [...SHIPPED_SEED_FILES];
  if (options.extraFile) files.push({ file: options.extraFile, protocol: null });
  const out: SeedList = { seeds: [], refused: [] };
  for (const { file, protocol } of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the seeds file ${JSON.stringify(file)}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
    const parsed = parseSeeds(text, file, protocol, options.normalise);
    out.seeds.push(...parsed.seeds);
    out.refused.push(...parsed.refused);
  }
  return out;
}
