/**
 * The room index on disk, so a restart loads it instead of rebuilding it
 * from the store (BENCHMARKS.md: the rebuild of a million rooms takes
 * minutes on a busy 2-core machine; the load takes seconds), then reads only
 * the rows written since (rooms_current.inserted_at).
 *
 * One file: a 4-byte length, a JSON header (format, watermark, strings,
 * section lengths), then the binary sections (per-slot columns, the text
 * pool, postings, hash maps) back to back. Written to a temporary file and
 * renamed, so a crash leaves the old snapshot or the new one. A file of
 * another format or a torn file is ignored (the index is rebuilt).
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import type { IndexState } from './room-index.ts';

/** The snapshot's file name in an embedded store's data folder (chatlas serve). */
export const ROOM_INDEX_SNAPSHOT = 'room-index.snapshot';

/** Bump when the layout or the meaning of any section changes. */
const FORMAT = 'chatlas-room-index-1';

type Typed = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
const KINDS = { Uint8Array, Uint16Array, Uint32Array, Int32Array, Float32Array, Float64Array } as const;
type Kind = keyof typeof KINDS;

interface Header {
  format: string;
  /** Newest rooms_current.inserted_at the index had applied. */
  watermark: number;
  savedAt: number;
  slots: number;
  dead: number;
  newest: number;
  servers: string[];
  languages: string[];
  gone: [string, number][];
  byIdOverflow: [string, number][];
  exactOverflow: [string, number][];
  /** Binary sections in file order: name, kind, byte length. */
  sections: [string, Kind, number][];
}

/** Write `state` (and the write watermark it reflects) to `path`. */
export async function writeSnapshot(path: string, state: IndexState, watermark: number): Promise<void> {
  const words = Buffer.from(state.postings.words.join('\n'));
  const parts: [string, Typed | Buffer][] = [
    ...Object.entries(state.columns),
    ['docs.pool', state.docs.pool], ['docs.at', state.docs.at], ['docs.len', state.docs.len],
    ['postings.words', words], ['postings.counts', state.postings.counts], ['postings.ids', state.postings.ids],
    ['byId', state.byId.pairs], ['exact', state.exact.pairs],
  ];
  const header: Header = {
    format: FORMAT, watermark, savedAt: Date.now(), slots: state.slots, dead: state.dead, newest: state.newest,
    servers: state.servers, languages: state.languages, gone: state.gone,
    byIdOverflow: state.byId.overflow, exactOverflow: state.exact.overflow,
    sections: parts.map(([name, a]) => [name, (Buffer.isBuffer(a) ? 'Uint8Array' : a.constructor.name) as Kind, a.byteLength]),
  };
  const head = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(head.byteLength);
  const tmp = `${path}.tmp`;
  const file = await open(tmp, 'w');
  try {
    await file.write(length);
    await file.write(head);
    for (const [, a] of parts) await file.write(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
}

/** The snapshot at `path` and its watermark, or null when there is none or it is unusable. */
export async function readSnapshot(path: string): Promise<{ state: IndexState; watermark: number; savedAt: number } | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return null;
  }
  try {
    const headLength = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.toString('utf8', 4, 4 + headLength)) as Header;
    if (header.format !== FORMAT) return null;
    let at = 4 + headLength;
    const sections = new Map<string, Typed>();
    for (const [name, kind, length] of header.sections) {
      if (at + length > bytes.byteLength || !(kind in KINDS)) return null;
      // A copy into a fresh, aligned buffer: typed arrays need their element alignment.
      const copy = new Uint8Array(length);
      copy.set(bytes.subarray(at, at + length));
      const Make = KINDS[kind];
      sections.set(name, new Make(copy.buffer, 0, length / Make.BYTES_PER_ELEMENT));
      at += length;
    }
    if (at !== bytes.byteLength) return null;
    const get = <T extends Typed>(name: string) => sections.get(name) as T;
    const words = Buffer.from(get<Uint8Array>('postings.words')).toString('utf8');
    const state: IndexState = {
      slots: header.slots, dead: header.dead, newest: header.newest,
      columns: {
        flags: get('flags'), server: get('server'), language: get('language'), members: get('members'), past: get('past'),
        boost: get('boost'), version: get('version'), observed: get('observed'), idHash: get('idHash'), nameWords: get('nameWords'),
      },
      docs: { pool: Buffer.from(get<Uint8Array>('docs.pool')), at: get('docs.at'), len: get('docs.len') },
      postings: { words: words === '' ? [] : words.split('\n'), counts: get('postings.counts'), ids: get('postings.ids') },
      byId: { pairs: get('byId'), overflow: header.byIdOverflow },
      exact: { pairs: get('exact'), overflow: header.exactOverflow },
      servers: header.servers, languages: header.languages, gone: header.gone,
    };
    return { state, watermark: header.watermark, savedAt: header.savedAt };
  } catch {
    return null;
  }
}

/** Remove a snapshot (and a left-over temporary file). */
export async function removeSnapshot(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.tmp`, { force: true });
}
