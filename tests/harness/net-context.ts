/**
 * The network context every loopback test crawls with: our DNS server, the whole of 127.0.0.0/8
 * allowed, 127.66.0.0/16 forbidden (CONTRIBUTING.md's address plan: it must receive no
 * connection), and the test CA trusted. One place for the deny block, instead of a copy per file.
 */
import { loadCrawlConfig } from '../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../crawler/net/context.ts';

/** The forbidden block of every test configuration. */
export const FORBIDDEN_NET = '127.66.0.0/16';

/** Options of {@link testNetContext}. */
export interface TestNetOptions {
  /** PEM of the test CA to trust (sim/test-ca.ts). */
  caPem?: string;
  /** More crawler settings (env names, e.g. CHATLAS_STEP_TIMEOUT_MS). */
  env?: Record<string, string>;
}

/** A NetContext that resolves through `dns` (our server on 127.x) and never leaves loopback. */
export function testNetContext(dns: { address: string }, options: TestNetOptions = {}): NetContext {
  return createNetContext(loadCrawlConfig({
    env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: FORBIDDEN_NET, ...options.env },
  }, options.caPem ? { extraCaPems: [options.caPem] } : {}));
}
