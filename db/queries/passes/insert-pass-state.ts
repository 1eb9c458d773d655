import type { Db } from '../../client.ts';

/** One state of a crawl pass (the `passes` table keeps the latest per pass). */
export interface PassState {
  passId: string;
  startedAt: Date;
  updatedAt: Date;
  /** `i/n`, or '' for a whole pass. */
  shard: string;
  state: 'running' | 'done' | 'failed';
  /** Servers (domain, protocol) the plan holds. */
  planned: number;
  /** Servers acknowledged done so far. */
  done: number;
}

/** Record a pass's state: a new row, the newest `updated_at` wins (ReplacingMergeTree). */
export async function insertPassState(db: Db, s: PassState): Promise<void> {
  await db.client.insert({
    table: 'passes',
    values: [{
      pass_id: s.passId,
      started_at: s.startedAt.getTime(),
      updated_at: s.updatedAt.getTime(),
      shard: s.shard,
      state: s.state,
      planned: s.planned,
      done: s.done,
    }],
    format: 'JSONEachRow',
  });
}
