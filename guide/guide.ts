/**
 * The guide (issue 15): every server's facts from the store, graded at `now`.
 * The site memoises the result per store (site/lib/pages/load-guide.ts); the
 * CLI export calls it once. Filtering and sorting: guide/query.ts.
 */
import type { Db } from '../db/client.ts';
import { listGuideFacts } from '../db/queries/guide/list-guide-facts.ts';
import { buildEntries, type GuideEntry } from './query.ts';

/** Every server the guide can list, graded at `now`. */
export async function loadGuideEntries(db: Db, now: Date): Promise<GuideEntry[]> {
  return buildEntries(await listGuideFacts(db, { now }), now);
}
