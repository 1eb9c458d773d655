/**
 * What a restarted worker does before it resumes a pass (see jobs/crawl/crawl.ts
 * "Crash safety"): replay the batches its journal holds, then learn which
 * servers of the pass are already done.
 */
import type { Db } from '../../db/client.ts';
import { insertProbeResults } from '../../db/queries/observations/insert-probe-results.ts';
import { insertPassProgress } from '../../db/queries/passes/insert-pass-progress.ts';
import { listDoneServers } from '../../db/queries/passes/list-done-servers.ts';
import { listUnmarkedSnapshots } from '../../db/queries/passes/list-unmarked-snapshots.ts';
import type { BatchJournal } from './batch-journal.ts';
import { serverKey } from './plan-pass.ts';

/**
 * Re-send every journaled batch with its own dedup token, so each table and
 * view keeps what it has and gets what it misses. Returns the servers replayed.
 */
export async function replayJournal(db: Db, journal: BatchJournal): Promise<number> {
  let replayed = 0;
  for (const batch of journal.pending()) {
    // pass_progress is written last: a batch whose servers are all there was stored whole and only
    // its acknowledgement was lost. Skipping it does not depend on the dedup window (1000 blocks per
    // table), which other shard workers may have moved past while this one was down.
    const marked = new Set<string>();
    for (const id of new Set(batch.results.map((r) => r.snapshot.passId))) {
      for (const r of await listDoneServers(db, { passId: id })) marked.add(`${id}:${serverKey(r.protocol, r.domain)}`);
    }
    const whole = batch.results.every((r) => marked.has(`${r.snapshot.passId}:${serverKey(r.snapshot.protocol, r.snapshot.domain)}`));
    if (!whole) {
      await insertProbeResults(db, batch.results, { dedupToken: batch.token });
      replayed += batch.results.length;
    }
    journal.remove(batch.token);
  }
  return replayed;
}

/**
 * The servers (`protocol:domain`) a pass has finished. Without a journal, a
 * crash between a server's snapshot and its progress row leaves the snapshot
 * unmarked: it is marked done here instead of being probed a second time
 * (a second snapshot would count twice), with the limit that view rows the
 * crash cut cannot be restored this way; the journal is what restores them.
 */
export async function recoverProgress(db: Db, passId: string, since: Date): Promise<{ done: Set<string>; repaired: number }> {
  const done = new Set<string>();
  for (const r of await listDoneServers(db, { passId })) done.add(serverKey(r.protocol, r.domain));
  const unmarked = await listUnmarkedSnapshots(db, { passId, since });
  await insertPassProgress(db, passId, unmarked.map((u) => ({ protocol: u.protocol, domain: u.domain, doneAt: new Date(u.at) })));
  for (const u of unmarked) done.add(serverKey(u.protocol, u.domain));
  return { done, repaired: unmarked.length };
}
