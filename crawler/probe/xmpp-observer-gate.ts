/**
 * No probing by proxy (issue 12 item 3): the observer account asks its own
 * server about a domain, and that server then dials the domain over s2s on
 * Chatlas's behalf. So the observer may ask only when everything that server
 * would dial for the domain passes Chatlas's own address guard, and Chatlas
 * itself saw XMPP answer there. Otherwise the observer's server becomes an
 * SSRF relay: a domain whose SRV points at 10.0.0.1 would make an innocent
 * server connect inside its own network.
 *
 * What a server dials for a domain (RFC 6120 §3.2.1, §3.2.2; XEP-0368):
 * the `_xmpp-server._tcp` and `_xmpps-server._tcp` SRV targets, or the
 * domain's own A/AAAA on 5269 when there is no SRV record. The domain's own
 * A/AAAA is checked even when SRV records exist: a server whose SRV targets
 * all fail may fall back to it (§3.2.2 as some implementations read it), and
 * checking a name the observer's server might dial costs one DNS answer.
 *
 * Refused when: the `_xmpp-server` SRV target is `.` (RFC 2782: decidedly not
 * offered); an s2s SRV lookup failed (we cannot tell what would be dialled);
 * there are more targets than we check; any address of any target (or of the
 * domain) is forbidden; or no s2s stream answered Chatlas's own probe (no sign
 * of XMPP federation: a Matrix-only domain). Opted-out domains never reach the
 * probe at all (jobs/crawl/opt-out-gate.ts).
 */
import type { NetContext } from '../net/context.ts';
import type { XmppEndpoint } from '../discover/xmpp-srv.ts';
import { ProbeError } from '../errors.ts';
import type { ObservationRecorder } from './observation-recorder.ts';

/** Most distinct host names checked; a domain with more s2s targets is not observed. @default 10 */
export const MAX_GATE_TARGETS = 10;

/** What the probe knows when it asks the gate. */
export interface GateInput {
  domain: string;
  /** Both s2s SRV lookups (`_xmpp-server`, `_xmpps-server`) answered (records, NODATA or NXDOMAIN). */
  srvAnswered: boolean;
  /** `_xmpp-server._tcp` answered with the `.` target. */
  srvNotOffered: boolean;
  /** The s2s endpoints, from SRV or the fallback: what the observer's server would dial. */
  endpoints: readonly XmppEndpoint[];
  /** Chatlas's own s2s stream reached stream features on one of them. */
  streamAnswered: boolean;
}

/** The gate's verdict. */
export type GateVerdict = { allowed: true } | { allowed: false; reason: string; forbidden: boolean };

/**
 * Decide, resolving every target through our DNS client and checking each
 * address with the guard. Records one `xmpp.observer-gate` step (outcome `ok`
 * or `refused`, the hosts and addresses checked in its facts).
 */
export async function observerGate(ctx: NetContext, rec: ObservationRecorder, input: GateInput, signal: AbortSignal): Promise<GateVerdict> {
  const started = performance.now();
  const refuse = (reason: string, facts: Record<string, unknown> = {}, forbidden = false): GateVerdict => {
    rec.record('xmpp.observer-gate', 'refused', performance.now() - started, { reason, forbidden, ...facts });
    return { allowed: false, reason, forbidden };
  };
  if (input.srvNotOffered) return refuse('its _xmpp-server SRV record has the target "." (no server-to-server service)');
  if (!input.srvAnswered) return refuse('its server-to-server SRV records could not be read, so what the observer\'s server would connect to is unknown');
  const hosts = [...new Set([input.domain, ...input.endpoints.map((e) => e.host.toLowerCase().replace(/\.$/, ''))])];
  if (hosts.length > MAX_GATE_TARGETS + 1) return refuse(`it names ${hosts.length - 1} server-to-server targets, more than the ${MAX_GATE_TARGETS} Chatlas checks`, { targets: hosts.length - 1 });
  const checked: { host: string; addresses: string[] }[] = [];
  for (const host of hosts) {
    let addresses: string[];
    try {
      const [a, aaaa] = await Promise.all([ctx.dns.a(host, { signal }), ctx.dns.aaaa(host, { signal })]);
      addresses = [...a.records, ...aaaa.records];
    } catch (error) {
      // A name the observer's server might resolve differently: not vouched for.
      return refuse(`${host} could not be resolved (${ProbeError.from(error).code})`, { checked });
    }
    checked.push({ host, addresses });
    const bad = addresses.find((ip) => ctx.guard.isForbidden(ip));
    if (bad !== undefined) return refuse(`${host} resolves to ${bad}, an address that is not public (${ctx.guard.reason(bad)})`, { checked }, true);
  }
  if (!input.streamAnswered) return refuse('no server-to-server stream answered Chatlas: nothing shows this domain federates over XMPP', { checked });
  rec.record('xmpp.observer-gate', 'ok', performance.now() - started, { checked });
  return { allowed: true };
}
