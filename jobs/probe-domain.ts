/**
 * Dispatch one (domain, protocol) probe to the crawler. The probe modules are
 * loaded on first use, so a command that never probes does not load them.
 */
import type { NetContext } from '../crawler/net/context.ts';
import type { Protocol, ProbeResult } from '../crawler/types.ts';
import { loadCapability } from './cli/load-module.ts';

/** Options passed to every probe. */
export interface ProbeOptions {
  passId: string;
  now: Date;
}

/** The signature every protocol probe exports. */
export type ProbeFunction = (net: NetContext, domain: string, options: ProbeOptions) => Promise<ProbeResult>;

/** Probe `domain` for `protocol`; never throws for a server's failure (that is in the result). */
export async function probeDomain(net: NetContext, domain: string, protocol: Protocol, options: ProbeOptions): Promise<ProbeResult> {
  if (protocol === 'matrix') {
    const { probeMatrix } = await loadCapability<{ probeMatrix: ProbeFunction }>('../../crawler/probe/matrix.ts', 'the Matrix probe');
    return probeMatrix(net, domain, options);
  }
  const { probeXmpp } = await loadCapability<{ probeXmpp: ProbeFunction }>('../../crawler/probe/xmpp.ts', 'the XMPP probe');
  return probeXmpp(net, domain, options);
}
