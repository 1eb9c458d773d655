/**
 * The periodic sweep: pending registrations past their deadline become
 * `expired`, which frees their place under the pending caps. Idempotent.
 */
import type { Db } from '../db/client.ts';
import { listOverdueRegistrations } from '../db/queries/registrations/list-overdue-registrations.ts';
import { expireIfOverdue } from './verify-registration.ts';

/** Expire every overdue pending registration (in batches of `batch`); returns how many. */
export async function expireRegistrations(db: Db, now: Date, batch = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const overdue = await listOverdueRegistrations(db, { now, limit: batch });
    for (const r of overdue) await expireIfOverdue(db, r, now);
    total += overdue.length;
    if (overdue.length < batch) return total;
  }
}
