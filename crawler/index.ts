/**
 * The crawler's public surface: what jobs/ and the CLI use. Everything else
 * in crawler/ is internal.
 *
 * ```ts
 * const net = createNetContext(loadCrawlConfig({ env }));
 * const result = await probeDomain(net, 'example.org', 'matrix', { passId });
 * await net.close();
 * ```
 */
import type { FederationIdentity } from './probe/matrix-signed.ts';
import type { NetContext } from './net/context.ts';
import { probeMatrix } from './probe/matrix.ts';
import { probeXmpp } from './probe/xmpp.ts';
import type { Protocol, ProbeResult, RegistrationMode } from './types.ts';
import type { FactKind } from './fact-kinds.ts';
import type { RequestLogEntry } from './net/request-budget.ts';
import type { PaceSignals } from './policy/cadence.ts';

export { createNetContext, type NetContext } from './net/context.ts';
export { loadCrawlConfig, crawlConfigTable, type CrawlConfig } from './config.ts';
export { ProbeError, type ProbeErrorCode } from './errors.ts';
export type { RequestLogEntry } from './net/request-budget.ts';
export type { PaceSignals } from './policy/cadence.ts';
export type * from './types.ts';
export type { FederationIdentity } from './probe/matrix-signed.ts';

/** Options every protocol probe takes. */
export interface ProbeDomainOptions {
  passId: string;
  /** The pass time, or a clock. @default () => new Date() */
  now?: Date | (() => Date);
  /**
   * Kinds of fact due (the crawl schedule's decision, crawler/fact-kinds.ts): the
   * probe skips the steps of the others. @default every kind (a full probe)
   */
  due?: readonly FactKind[];
  /** The registration mode the last registration request showed (XMPP keeps a form's refinement between asks). */
  lastRegistration?: RegistrationMode | null;
  /**
   * Requests the store recorded for this server over the last day: counted into
   * the context's budget first (crawler/net/request-budget.ts), so a new process
   * does not start from zero. Every request of the probe is counted there, and
   * refused past the server's budget.
   */
  requestLog?: readonly RequestLogEntry[];
  /**
   * What the store recorded about the server's pace (the last 429/503 with Retry-After, the last
   * robots.txt Crawl-delay): merged into the context's budget first, so its lowered budget outlives
   * a restart (crawler/policy/cadence.ts `effectiveBudget`).
   */
  pace?: PaceSignals;
  signal?: AbortSignal;
  /** Chatlas's Matrix federation identity (signed federation directory reads); Matrix only. @default none */
  federation?: FederationIdentity;
}

/**
 * Probe `domain` for one protocol: discovery, every probe step, rooms and new
 * domains. Never throws for a server's failure: that is in the result.
 */
export function probeDomain(net: NetContext, domain: string, protocol: Protocol, options: ProbeDomainOptions): Promise<ProbeResult> {
  if (protocol === 'matrix') return probeMatrix(net, domain, options);
  const { federation: _matrixOnly, ...xmppOptions } = options;
  return probeXmpp(net, domain, xmppOptions);
}
