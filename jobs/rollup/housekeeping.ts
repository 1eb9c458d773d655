/**
 * Periodic upkeep that is not a crawl pass, run by `chatlas serve`:
 * - expire registrations whose ownership proof did not come in time;
 * - look again at every opted-out domain's signals (DNS TXT, robots.txt), so
 *   an operator who removes the record is listed again without asking;
 * - merge the room directory's table to one row per room, which keeps room
 *   searches at their speed (db/queries/rooms/compact-rooms-current.ts).
 */
import type { Db } from '../../db/client.ts';
import { listOptedOutDomains } from '../../db/queries/registrations/list-opted-out-domains.ts';
import { compactRoomsCurrent } from '../../db/queries/rooms/compact-rooms-current.ts';
import type { OwnershipNet } from '../../registration/deps.ts';
import { expireRegistrations } from '../../registration/expire-registrations.ts';
import { refreshOptOut } from '../../registration/refresh-opt-out.ts';

/** What one round did. */
export interface HousekeepingRound {
  expired: number;
  optOutsChecked: number;
  optOutsLifted: number;
  /** Time spent merging the room directory's table, ms (-1: it failed; the round goes on). */
  roomsCompactedMs: number;
}

/** Options of {@link runHousekeeping}. */
export interface HousekeepingOptions {
  db: Db;
  net: OwnershipNet;
  now?: Date;
  /** Opted-out domains looked at per round, at most (politeness and bounded work). @default 500 */
  maxOptOutChecks?: number;
}

/** One round of upkeep. Never throws for one domain's failure. */
export async function runHousekeeping(options: HousekeepingOptions): Promise<HousekeepingRound> {
  const now = options.now ?? new Date();
  const expired = await expireRegistrations(options.db, now);
  const optedOut = (await listOptedOutDomains(options.db)).slice(0, options.maxOptOutChecks ?? 500);
  let lifted = 0;
  for (const domain of optedOut) {
    try {
      const seen = await refreshOptOut(options.db, options.net, domain, now);
      // Lifted when no readable source still says opt-out (an unreadable one keeps its last state).
      if (seen.dnsTxt === false && seen.robots !== true) lifted++;
    } catch {
      // One unreachable domain never stops the round.
    }
  }
  const started = performance.now();
  let roomsCompactedMs = -1;
  try {
    await compactRoomsCurrent(options.db);
    roomsCompactedMs = Math.round(performance.now() - started);
  } catch {
    // Only speed is at stake: the directory reads with FINAL either way.
  }
  return { expired, optOutsChecked: optedOut.length, optOutsLifted: lifted, roomsCompactedMs };
}

/** Run {@link runHousekeeping} every `intervalMs` until stopped. */
export function startHousekeeping(options: HousekeepingOptions & { intervalMs: number; onRound?: (r: HousekeepingRound) => void; onError?: (e: unknown) => void }): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    runHousekeeping(options).then(options.onRound, options.onError).finally(() => { running = false; });
  }, options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
