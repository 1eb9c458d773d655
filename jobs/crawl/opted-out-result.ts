/**
 * The ProbeResult recorded for a domain whose operator opted out (DNS TXT
 * `_chatlas.<domain>` or a robots.txt group for Chatlas disallowing `/`):
 * no probe is made, and the snapshot says why, so the server page and the
 * statistics show it as opted out rather than as down.
 */
import type { ProbeResult, Protocol } from '../../crawler/types.ts';

export function optedOutResult(passId: string, domain: string, protocol: Protocol, observedAt: Date, source: 'dns-txt' | 'robots'): ProbeResult {
  const message = source === 'dns-txt'
    ? `The operator opted out with the DNS TXT record _chatlas.${domain} = "chatlas=opt-out": Chatlas does not probe this domain.`
    : `The operator opted out in https://${domain}/robots.txt (a group for Chatlas disallowing /): Chatlas does not probe this domain.`;
  return {
    snapshot: {
      passId, domain, protocol, observedAt, status: 'opted-out', software: 'unknown', versionRaw: '', version: '',
      registration: 'unknown', features: [], specVersions: [], tls: null, dnssec: null, dane: null, ipv4: null, ipv6: null,
      publicRooms: 0, publicMembers: 0, users: null, endpoint: '', error: '',
      report: [{ step: 'policy.opt-out', level: 'info', message, fix: 'Remove the record or the robots.txt group to be listed again; Chatlas looks again once a day.' }],
    },
    observations: [{ passId, domain, protocol, step: 'policy.opt-out', observedAt, outcome: 'opted-out', durationMs: 0, facts: { source }, raw: '', error: '' }],
    rooms: [],
    discoveries: [],
  };
}
