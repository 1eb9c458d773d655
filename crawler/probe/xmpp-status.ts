/**
 * What one XMPP probe concluded about a domain, from its observations and
 * what its streams reached. Pure.
 * - `ok`: some stream got as far as its features;
 * - `error`: a connection was made, but every stream failed;
 * - `not-a-server`: SRV says client and server connections are not offered
 *   (RFC 2782 target "."), or there is no sign of XMPP at all: no SRV record,
 *   no host-meta links or provider file, nothing answering on the RFC 6120
 *   §3.2.2 fallback ports (crawler/probe/protocol-sign.ts);
 * - `unreachable`: a sign of XMPP, and nothing answered.
 */
import type { SrvRecord } from '../net/dns.ts';
import type { Observation, ServerStatus } from '../types.ts';
import { isUnansweredDns, type ProtocolSign } from './protocol-sign.ts';

/** What the stream probes reached (crawler/probe/xmpp-streams.ts). */
export interface XmppStreamsReached {
  /** Some stream got as far as its features. */
  spoke: boolean;
  /** Some connection was made. */
  connected: boolean;
  /** Both sides' SRV said "not offered". */
  notOffered: boolean;
}

const SRV_STEP = /^dns\.srv\./;
const CONNECT_STEP = /^xmpp\.(c2s|s2s)-connect$/;

/**
 * Whether the observations show XMPP at the domain: an SRV record with a real
 * target, host-meta connection links (XEP-0156) or an XMPP header there
 * (XEP-0487), a provider file, or a stream connection. `unknown` when an SRV
 * question (or the fallback's address lookup) was left unanswered.
 */
export function xmppSign(observations: readonly Observation[]): ProtocolSign {
  const seen = observations.some((o) => {
    if (o.outcome !== 'ok') return false;
    if (SRV_STEP.test(o.step)) return Array.isArray(o.facts['records']) && (o.facts['records'] as SrvRecord[]).some((r) => r.target !== '.');
    if (o.step === 'xmpp.host-meta' || o.step === 'xmpp.host-meta-json') {
      const links = o.facts['links'];
      return (Array.isArray(links) && links.length > 0) || (o.facts['xmpp'] !== null && o.facts['xmpp'] !== undefined);
    }
    return o.step === 'xmpp.provider-file' || CONNECT_STEP.test(o.step);
  });
  if (seen) return 'seen';
  const open = observations.some((o) => (SRV_STEP.test(o.step) || CONNECT_STEP.test(o.step)) && isUnansweredDns(o.outcome));
  return open ? 'unknown' : 'none';
}

/** The status of one XMPP probe (see the file header). */
export function xmppStatus(observations: readonly Observation[], streams: XmppStreamsReached): ServerStatus {
  if (streams.spoke) return 'ok';
  if (streams.connected) return 'error';
  if (streams.notOffered) return 'not-a-server';
  return xmppSign(observations) === 'none' ? 'not-a-server' : 'unreachable';
}
