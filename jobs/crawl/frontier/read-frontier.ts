/**
 * Feed {@link buildFrontier} from the store: domains discovered so far, instance
 * registrations and opt-outs, merged with the seeds, as of a time.
 */
import type { Db } from '../../../db/client.ts';
import { listKnownDomains } from '../../../db/queries/frontier/list-known-domains.ts';
import { listRegisteredDomains } from '../../../db/queries/frontier/list-registered-domains.ts';
import { listOptedOutDomains } from '../../../db/queries/registrations/list-opted-out-domains.ts';
import { buildFrontier, type Frontier } from './build-frontier.ts';
import type { Seed } from './load-seeds.ts';
import type { NormaliseOptions } from '../../../crawler/discover/domain-name.ts';

/** Options of {@link readFrontier}. */
export interface ReadFrontierOptions {
  /** Only domains known before this time (a pass plans as of its start). */
  asOf: Date;
  seeds: Seed[];
  normalise?: NormaliseOptions;
}

/**
 * The frontier as of `asOf`. Opt-outs are read at their latest state, not as of
 * `asOf`: an owner who opts out while a pass runs is honoured when it resumes.
 */
export async function readFrontier(db: Db, options: ReadFrontierOptions): Promise<Frontier> {
  const [known, registrations, optedOut] = await Promise.all([
    listKnownDomains(db, { asOf: options.asOf }),
    listRegisteredDomains(db, { asOf: options.asOf }),
    listOptedOutDomains(db),
  ]);
  const optedOutAll = [...optedOut, ...registrations.filter((r) => r.opt_out).map((r) => r.domain)];
  return buildFrontier({
    seeds: options.seeds,
    known,
    registrations,
    optedOut: optedOutAll,
    ...(options.normalise ? { normalise: options.normalise } : {}),
  });
}
