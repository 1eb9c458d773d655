/**
 * What the registration flow needs from the outside: the network functions
 * that prove ownership (the crawler's guarded DNS client and bounded HTTP,
 * never Node's resolver), the optional immediate probe, and the limits.
 */
import type { ProbeResult } from '../crawler/types.ts';
import type { NormaliseOptions } from '../crawler/discover/domain-name.ts';

/** The two reads an ownership check makes. Both must be guarded and bounded by the caller's net layer. */
export interface OwnershipNet {
  /** TXT records of `name`, each record's strings joined. Empty when the name has none. */
  txt(name: string, signal: AbortSignal): Promise<string[]>;
  /** GET an https URL with a byte cap and no redirects off the domain; the body as text. */
  fetchText(url: string, signal: AbortSignal): Promise<{ status: number; body: string }>;
  /**
   * GET `https://<domain>/robots.txt` now. Optional: when present, opt-out reads use it instead of
   * `fetchText`, so the crawler's robots cache keeps what they fetched and its probe does not fetch it again.
   */
  fetchRobots?(domain: string, signal: AbortSignal): Promise<{ status: number; body: string }>;
}

/** Registration settings and collaborators. */
export interface RegistrationDeps {
  net: OwnershipNet;
  /** Probe a domain now (the crawler's crawlDomain); absent: the next pass probes it. */
  probe?: (domain: string, signal: AbortSignal) => Promise<ProbeResult>;
  /** Time to prove ownership, ms. @default 72 h */
  ttlMs?: number;
  /** Pending registrations allowed in total. @default 1000 */
  maxPending?: number;
  /** Pending registrations allowed per client address. @default 5 */
  maxPendingPerClient?: number;
  /** Pending registrations allowed per domain (competing claimants). @default 3 */
  maxPendingPerDomain?: number;
  /** Deadline of the immediate probe, ms. @default 20000 */
  probeTimeoutMs?: number;
  /** Deadline of one ownership check (DNS and HTTPS together), ms. @default 15000 */
  verifyTimeoutMs?: number;
  /**
   * The frontier's domain rules (reserved TLDs and names), so a domain can be registered exactly
   * when the crawler would probe it. @default the frontier's defaults (`.test` refused)
   */
  normalise?: NormaliseOptions;
  /** Secret salt of the stored client keys (so stored keys are not raw addresses). @default '' */
  clientSalt?: string;
}

/** The defaults of {@link RegistrationDeps}, resolved. */
export function registrationLimits(deps: RegistrationDeps) {
  return {
    ttlMs: deps.ttlMs ?? 72 * 3600_000,
    maxPending: deps.maxPending ?? 1000,
    maxPendingPerClient: deps.maxPendingPerClient ?? 5,
    maxPendingPerDomain: deps.maxPendingPerDomain ?? 3,
    probeTimeoutMs: deps.probeTimeoutMs ?? 20_000,
    verifyTimeoutMs: deps.verifyTimeoutMs ?? 15_000,
  };
}
