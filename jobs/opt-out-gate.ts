/**
 * Checks a domain's opt-out signals once per pass before any probe of it, and
 * records what it saw (jobs/registration/refresh-opt-out.ts), so an operator
 * can opt out with a DNS TXT record or robots.txt alone, without registering.
 */
import type { Db } from '../db/client.ts';
import type { OwnershipNet } from './registration/deps.ts';
import { refreshOptOut, type OptOutSighting } from './registration/refresh-opt-out.ts';

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
      pending = refreshOptOut(this.#db, this.#net, domain, now, this.#timeoutMs).catch(() => ({ dnsTxt: null, robots: null }));
      this.#seen.set(domain, pending);
    }
    const seen = await pending;
    return seen.dnsTxt ? 'dns-txt' : seen.robots ? 'robots' : null;
  }
}
