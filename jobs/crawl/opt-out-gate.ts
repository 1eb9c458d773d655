/**
 * Checks a domain's opt-out signals once per pass before any probe of it, so
 * an operator can opt out with a DNS TXT record or robots.txt alone, without
 * registering. Only an opt-out is written to `opt_outs`: the domains probed
 * are by construction not opted out, and recording every "no opt-out" would
 * be one tiny INSERT per domain per pass (ClickHouse wants few, large
 * inserts). Lifting is housekeeping's job (jobs/rollup/housekeeping.ts), which
 * re-reads only the opted-out domains.
 */
import type { Db } from '../../db/client.ts';
import type { OwnershipNet } from '../../registration/deps.ts';
import { insertOptOut } from '../../db/queries/registrations/insert-opt-out.ts';
import { observeOptOut, type OptOutSighting } from '../../registration/refresh-opt-out.ts';

/** Per pass and domain: the sighting, looked up once even when both protocols are probed. */
export class OptOutGate {
  readonly #db: Db;
  readonly #net: OwnershipNet;
  readonly #timeoutMs: number;
  /** Bounded: one entry per domain of the current pass; cleared when the pass changes. */
  #pass = '';
  #seen = new Map<string, Promise<OptOutSighting>>();

  constructor(db: Db, net: OwnershipNet, timeoutMs = 5_000) {
    this.#db = db;
    this.#net = net;
    this.#timeoutMs = timeoutMs;
  }

  /** The opt-out source in force for `domain`, or null. Never throws: unreadable signals count as "not opted out". */
  async check(passId: string, domain: string, now: Date): Promise<'dns-txt' | 'robots' | null> {
    if (passId !== this.#pass) {
      this.#pass = passId;
      this.#seen = new Map();
    }
    let pending = this.#seen.get(domain);
    if (!pending) {
      pending = this.#observe(domain, now).catch(() => ({ dnsTxt: null, robots: null }));
      this.#seen.set(domain, pending);
    }
    const seen = await pending;
    return seen.dnsTxt ? 'dns-txt' : seen.robots ? 'robots' : null;
  }

  async #observe(domain: string, now: Date): Promise<OptOutSighting> {
    const seen = await observeOptOut(this.#net, domain, this.#timeoutMs);
    if (seen.dnsTxt) await insertOptOut(this.#db, { domain, source: 'dns-txt', active: true, observedAt: now });
    if (seen.robots) await insertOptOut(this.#db, { domain, source: 'robots', active: true, observedAt: now });
    return seen;
  }
}
