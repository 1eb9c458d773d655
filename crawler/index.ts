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
import type { NetContext } from './net/context.ts';
import { probeMatrix } from './probe/matrix.ts';
import { probeXmpp } from './probe/xmpp.ts';
import type { Protocol, ProbeResult } from './types.ts';

export { createNetContext, type NetContext } from './net/context.ts';
export { loadCrawlConfig, crawlConfigTable, type CrawlConfig } from './config.ts';
export { ProbeError, type ProbeErrorCode } from './errors.ts';
export type * from './types.ts';

/** Options every protocol probe takes. */
export interface ProbeDomainOptions {
  passId: string;
  /** The pass time, or a clock. @default () => new Date() */
  now?: Date | (() => Date);
  signal?: AbortSignal;
}

/**
 * Probe `domain` for one protocol: discovery, every probe step, rooms and new
 * domains. Never throws for a server's failure: that is in the result.
 */
export function probeDomain(net: NetContext, domain: string, protocol: Protocol, options: ProbeDomainOptions): Promise<ProbeResult> {
  return protocol === 'matrix' ? probeMatrix(net, domain, options) : probeXmpp(net, domain, options);
}
