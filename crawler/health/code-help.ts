/**
 * What a failure code means to a server admin and how to fix it: one entry per
 * ProbeError code that needs its own words (crawler/errors.ts), else one per
 * code family (`dns`, `net`, …). Used by the health report for failed steps
 * the crawler wrote no sentence about.
 */
import type { ProbeErrorCode } from '../errors.ts';

/** An explanation: what happened, and what to do about it. */
export interface CodeHelp {
  what: string;
  fix: string;
}

/** The part of a code before its dot: `dns`, `net`, `tls`, … */
type FamilyOf<C> = C extends `${infer F}.${string}` ? F : never;
type Family = FamilyOf<ProbeErrorCode>;

const CODE_HELP: Partial<Record<ProbeErrorCode | Family, CodeHelp>> = {
  'dns.nxdomain': { what: 'The domain does not exist in DNS.', fix: 'Check the domain is registered and its zone is published.' },
  'dns.no-records': { what: 'DNS has no records for the service name that was asked.', fix: 'Publish the SRV record (XMPP: _xmpp-client._tcp / _xmpp-server._tcp) or, for Matrix, /.well-known/matrix/server or an A/AAAA record for the domain.' },
  'dns.timeout': { what: 'The DNS servers for the domain did not answer in time.', fix: 'Check that the authoritative name servers are up and reachable over UDP and TCP port 53.' },
  'dns.servfail': { what: 'DNS resolution failed (SERVFAIL), often a broken DNSSEC chain.', fix: 'Check the DS record at the parent matches your DNSKEY, and that signatures have not expired.' },
  dns: { what: 'DNS lookup failed.', fix: 'Check the domain\'s DNS records with a tool such as dig.' },
  'net.connect-refused': { what: 'The connection was refused: nothing listens on that port.', fix: 'Start the server, or open the port in the firewall (Matrix federation 8448 or the delegated port; XMPP 5222/5269).' },
  'net.connect-timeout': { what: 'Connecting timed out: a firewall may drop packets, or the host is down.', fix: 'Check the host is up and the port is open to the internet.' },
  'net.forbidden-address': { what: 'The name points at a private or reserved address, which other servers cannot reach.', fix: 'Publish the server\'s public address in DNS.' },
  net: { what: 'The connection failed.', fix: 'Check the host is up and reachable from the internet.' },
  'tls.expired': { what: 'The TLS certificate has expired.', fix: 'Renew the certificate (e.g. with certbot) and reload the server; automate renewal.' },
  'tls.name-mismatch': { what: 'The certificate does not name this domain.', fix: 'Get a certificate that covers the domain (and the delegated host, for Matrix).' },
  'tls.cert-invalid': { what: 'The certificate chain does not verify against public CAs.', fix: 'Use a certificate from a public CA and serve the full chain (leaf plus intermediates).' },
  tls: { what: 'The TLS handshake failed.', fix: 'Check the TLS configuration: a current certificate, full chain, TLS 1.2 or newer.' },
  'http.status': { what: 'An HTTP endpoint answered with an error status.', fix: 'Check the reverse proxy forwards /_matrix/ and /.well-known/ to the server.' },
  'http.timeout': { what: 'An HTTP request timed out.', fix: 'Check the server and its reverse proxy respond promptly.' },
  'http.too-large': { what: 'An endpoint sent more data than Chatlas accepts.', fix: 'Serve the standard small JSON documents at the well-known and version endpoints.' },
  http: { what: 'An HTTP request failed.', fix: 'Check the reverse proxy configuration.' },
  'json.invalid': { what: 'An endpoint returned something that is not JSON.', fix: 'Serve the document with Content-Type application/json and valid JSON.' },
  json: { what: 'An endpoint returned unexpected JSON.', fix: 'Compare the response with the Matrix specification for that endpoint.' },
  xml: { what: 'The XMPP server sent malformed or restricted XML.', fix: 'Check the server version and any modules that alter stream output.' },
  'xmpp.no-starttls': { what: 'The XMPP server does not offer STARTTLS.', fix: 'Enable TLS for client and server connections (Prosody: c2s_require_encryption; ejabberd: starttls_required).' },
  'xmpp.iq-error': { what: 'A query to the domain through Chatlas\'s observer account was answered with an error.', fix: 'Check that the domain answers service discovery (disco#info, disco#items) over server-to-server connections; remote-server-not-found means other servers cannot connect to it.' },
  xmpp: { what: 'The XMPP stream failed.', fix: 'Check the server log for stream errors at the time of the probe.' },
  'policy.robots-disallowed': { what: 'robots.txt asks crawlers to stay away, so Chatlas did not ask further.', fix: 'Nothing to fix: this is respected. Allow the Chatlas user agent to be listed.' },
  'policy.opted-out': { what: 'The server opted out of Chatlas.', fix: 'Nothing to fix: remove the opt-out to be listed again.' },
  'policy.budget-exhausted': { what: 'Chatlas had sent this server its daily request budget, so it stopped asking for the rest of the day (see /about/data).', fix: 'Nothing to fix on your side. A Crawl-delay in robots.txt or a 429 with Retry-After lowers the budget further.' },
  policy: { what: 'Chatlas held back by policy (rate limit or opt-out).', fix: 'Nothing to fix on your side.' },
  matrix: { what: 'The Matrix server answered in a way that does not follow the specification.', fix: 'Check the homeserver version and the reverse proxy.' },
};

/** Help for a failure code: the code's own entry, else its family's, else a generic sentence naming it. */
export function explainCode(code: ProbeErrorCode): CodeHelp {
  const family = code.split('.')[0] as Family;
  return CODE_HELP[code] ?? CODE_HELP[family] ?? { what: `The probe step failed (${code}).`, fix: 'Check the server log at the time of the probe.' };
}
