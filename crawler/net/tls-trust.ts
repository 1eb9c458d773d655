/**
 * Which certificate authorities the crawler's TLS clients trust: Node's defaults (with
 * NODE_EXTRA_CA_CERTS) plus the configured extras (the tests' and demo's throwaway CA).
 * Its own file so that the undici agent (http-agent.ts) and the certificate inspector
 * (tls-inspect.ts) share it without importing each other.
 */
import tls from 'node:tls';
import type { CrawlConfig } from '../config.ts';

/** The CA list: Node's defaults (with NODE_EXTRA_CA_CERTS) plus the configured extras, or undefined for Node's defaults. */
export function caList(config: Pick<CrawlConfig, 'extraCaPems'>): string[] | undefined {
  if (config.extraCaPems.length === 0) return undefined;
  return [...tls.getCACertificates('default'), ...config.extraCaPems];
}

/**
 * One client SecureContext per configuration object when extra CAs are
 * configured (tests, benches, demo), else undefined (Node's default context).
 * Passing `ca` to tls.connect / undici's connector builds a new context for
 * every connection (all ~265 roots parsed: ~17 ms CPU and ~1.2 MiB each);
 * every client TLS connection of crawler/net passes this one instead.
 */
const secureContexts = new WeakMap<object, tls.SecureContext>();
export function clientSecureContext(config: Pick<CrawlConfig, 'extraCaPems'>): tls.SecureContext | undefined {
  const ca = caList(config);
  if (ca === undefined) return undefined;
  let c = secureContexts.get(config);
  if (!c) {
    c = tls.createSecureContext({ ca, minVersion: 'TLSv1.2' });
    secureContexts.set(config, c);
  }
  return c;
}
