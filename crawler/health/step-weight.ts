/**
 * How much the failure of a probe step matters to the people who use the
 * server, so that the health report grades it: a failed `core` step is an
 * error (clients or other servers cannot connect), a `secondary` one a
 * warning (something works less well), an `optional` one information (a
 * lookup many healthy servers do not serve, or Chatlas's own account).
 * Steps not listed are core. Names are `Observation.step` values written by
 * crawler/probe/* and crawler/discover/matrix-resolve.ts.
 */

/** The weight of a step. */
export type StepWeight = 'core' | 'secondary' | 'optional';

interface WeightRow {
  weight: Exclude<StepWeight, 'core'>;
  /** For optional steps: why it may fail on a healthy server, and what to publish if wanted. */
  note?: string;
}

const HOST_META = 'Only web clients read host-meta (XEP-0156: BOSH and WebSocket discovery); serve it over HTTPS at the domain if you offer them.';

const WEIGHTS: Record<string, WeightRow> = {
  // XMPP: direct TLS (XEP-0368) SRV records and DANE are extras; most servers publish neither.
  'dns.srv.xmpps-client': { weight: 'optional', note: 'Direct TLS (XEP-0368) is optional: publish _xmpps-client._tcp only if you listen for it.' },
  'dns.srv.xmpps-server': { weight: 'optional', note: 'Direct TLS (XEP-0368) is optional: publish _xmpps-server._tcp only if you listen for it.' },
  'dns.tlsa': { weight: 'optional', note: 'DANE is optional: publish TLSA records once DNSSEC is in place.' },
  'dns.aaaa': { weight: 'secondary' },
  'xmpp.host-meta': { weight: 'optional', note: HOST_META },
  'xmpp.host-meta-json': { weight: 'optional', note: HOST_META },
  'xmpp.provider-file': { weight: 'optional', note: 'Only the XMPP Providers list reads /.well-known/xmpp-provider-v2.json; publish it to be listed there.' },
  'xmpp.observer-login': { weight: 'optional', note: 'Chatlas\'s own observer account could not log in, so software, services and rooms were not asked: nothing to fix on your side.' },
  'xmpp.version': { weight: 'optional', note: 'Answering the software version (XEP-0092) is optional; some admins turn it off on purpose.' },
  'xmpp.register-form': { weight: 'secondary' },
  'xmpp.disco-items': { weight: 'secondary' },
  'xmpp.service-info': { weight: 'secondary' },
  'xmpp.muc-rooms': { weight: 'secondary' },
  // Matrix: the client well-known helps clients; support contacts, OIDC metadata and user counts are extras.
  'matrix.well-known-client': { weight: 'secondary' },
  'matrix.well-known-support': { weight: 'optional', note: '/.well-known/matrix/support (admin contacts, spec v1.10) is optional.' },
  'matrix.auth-metadata': { weight: 'optional', note: 'The OAuth 2.0 metadata endpoint only exists on servers that delegate login (MSC3861).' },
  'matrix.user-count': { weight: 'optional', note: 'The local user count is an extra of the conduwuit family.' },
  'matrix.login-flows': { weight: 'secondary' },
  'matrix.register-probe': { weight: 'secondary' },
  'matrix.public-rooms': { weight: 'secondary' },
  'matrix.space-hierarchy': { weight: 'secondary' },
  'net.ipv4': { weight: 'secondary' },
  'net.ipv6': { weight: 'secondary' },
};

/** The weight of `step`, and for an optional step the note saying why. */
export function stepWeight(step: string): { weight: StepWeight; note: string } {
  const row = WEIGHTS[step];
  return row ? { weight: row.weight, note: row.note ?? '' } : { weight: 'core', note: '' };
}
