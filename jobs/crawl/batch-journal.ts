/**
 * A write-ahead journal of result batches, so a batch cut by kill -9 is
 * replayed EXACTLY (same rows, same dedup token) instead of being probed again.
 *
 * Why replay and not re-probe: one batch is several INSERTs (observations …
 * server_snapshots, pass_progress) and each INSERT also feeds materialized
 * views. A crash can land after the source part of `server_snapshots` is
 * committed and before its views' parts are. Measured on chdb: the snapshot is
 * there, `server_daily_v1` and `servers_latest` miss it. Re-sending the same
 * block with the same `insert_deduplication_token` and
 * `deduplicate_blocks_in_dependent_materialized_views = 1` makes ClickHouse
 * drop what each table already has and insert only what is missing, views
 * included (ClickHouse docs, "Deduplication in materialized views"). A fresh
 * probe would make new rows with a new token and write the server twice.
 *
 * Files: `<dir>/<token>.json`, written to a temp name, fsynced and renamed
 * before the batch is sent; removed once the store acknowledged it. A temp
 * file left by a crash was never sent, so it is deleted.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeResult } from '../../crawler/types.ts';

/** A batch read back from the journal. */
export interface JournaledBatch {
  token: string;
  results: ProbeResult[];
}

const DATE_KEYS = new Set(['observedAt', 'foundAt', 'validFrom', 'validTo']);

/** Journal in one folder (created on first use). One folder per worker: two processes must not share it. */
export class BatchJournal {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Durably record a batch before it is sent. */
  write(token: string, results: ProbeResult[]): void {
    mkdirSync(this.dir, { recursive: true });
    const tmp = join(this.dir, `${token}.tmp`);
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify({ token, results }));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.dir, `${token}.json`));
  }

  /** Forget an acknowledged batch. */
  remove(token: string): void {
    rmSync(join(this.dir, `${token}.json`), { force: true });
  }

  /** Batches written and never acknowledged, oldest name first; unsent temp files are deleted. */
  pending(): JournaledBatch[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: JournaledBatch[] = [];
    for (const name of names.sort()) {
      const path = join(this.dir, name);
      if (name.endsWith('.tmp')) {
        rmSync(path, { force: true });
        continue;
      }
      if (!name.endsWith('.json')) continue;
      let parsed: JournaledBatch;
      try {
        parsed = JSON.parse(readFileSync(path, 'utf8'), (key, value: unknown) =>
          DATE_KEYS.has(key) && typeof value === 'string' ? new Date(value) : value) as JournaledBatch;
      } catch {
        // Renamed only after fsync, so a torn file means outside damage; it was never acknowledged,
        // and its servers are simply probed again by the resumed pass.
        rmSync(path, { force: true });
        continue;
      }
      out.push(parsed);
    }
    return out;
  }
}
