/**
 * The health report of a server page: each finding says what is wrong, why
 * it matters and how to fix it. Derived from the server's latest and last
 * good snapshots and the steps of its latest probe, plus any findings the
 * crawler recorded in `report` (validated here: it is stored JSON, so it is
 * treated as untrusted and only its strings are kept).
 */
import type { ServerDetail } from '../../db/queries/servers/get-server.ts';
import type { ObservationRow } from '../../db/queries/servers/get-server-observations.ts';
import { formatDay } from './format.ts';

/** One finding. */
export interface Finding {
  level: 'error' | 'warning' | 'info' | 'ok';
  title: string;
  detail: string;
  fix: string;
}

/** Explanations per error-code family (crawler/errors.ts PROBE_ERROR_CODES). */
const CODE_HELP: Record<string, { what: string; fix: string }> = {
  'dns.nxdomain': { what: 'The domain does not exist in DNS.', fix: 'Check the domain is registered and its zone is published.' },
  'dns.no-records': { what: 'DNS has no records for the service name that was asked.', fix: 'Publish the SRV record (XMPP: _xmpp-client._tcp / _xmpp-server._tcp) or, for Matrix, /.well-known/matrix/server or an A/AAAA record for the domain.' },
  'dns.timeout': { what: 'The DNS servers for the domain did not answer in time.', fix: 'Check that the authoritative name servers are up and reachable over UDP and TCP port 53.' },
  'dns.servfail': { what: 'DNS resolution failed (SERVFAIL), often a broken DNSSEC chain.', fix: 'Check the DS record at the parent matches your DNSKEY, and that signatures have not expired.' },
  dns: { what: 'DNS lookup failed.', fix: 'Check the domain\'s DNS records with a tool such as dig.' },
  'net.connect-refused': { what: 'The port is closed: the connection was refused.', fix: 'Start the server, or open the port in the firewall (Matrix federation 8448 or the delegated port; XMPP 5222/5269).' },
  'net.connect-timeout': { what: 'Connecting timed out: a firewall may drop packets, or the host is down.', fix: 'Check the host is up and the port is open to the internet.' },
  'net.forbidden-address': { what: 'The domain points at a private or reserved address, which public servers cannot reach.', fix: 'Publish the server\'s public address in DNS.' },
  net: { what: 'The connection failed.', fix: 'Check the host is up and reachable from the internet.' },
  'tls.expired': { what: 'The TLS certificate has expired.', fix: 'Renew the certificate (e.g. with certbot) and reload the server; automate renewal.' },
  'tls.name-mismatch': { what: 'The certificate does not name this domain.', fix: 'Get a certificate that covers the domain (and the delegated host, for Matrix).' },
  'tls.cert-invalid': { what: 'The certificate chain does not verify against public CAs.', fix: 'Use a certificate from a public CA and serve the full chain (leaf plus intermediates).' },
  tls: { what: 'The TLS handshake failed.', fix: 'Check the TLS configuration: a current certificate, full chain, TLS 1.2 or newer.' },
  'http.status': { what: 'An HTTP endpoint answered with an error status.', fix: 'Check the reverse proxy forwards /_matrix/ and /.well-known/matrix/ to the homeserver.' },
  'http.timeout': { what: 'An HTTP request timed out.', fix: 'Check the server and its reverse proxy respond promptly.' },
  'http.too-large': { what: 'An endpoint sent more data than Chatlas accepts.', fix: 'Serve the standard small JSON documents at the well-known and version endpoints.' },
  http: { what: 'An HTTP request failed.', fix: 'Check the reverse proxy configuration.' },
  'json.invalid': { what: 'An endpoint returned something that is not JSON.', fix: 'Serve /.well-known/matrix/server with Content-Type application/json and valid JSON.' },
  json: { what: 'An endpoint returned unexpected JSON.', fix: 'Compare the response with the Matrix specification for that endpoint.' },
  xml: { what: 'The XMPP server sent malformed or restricted XML.', fix: 'Check the server version and any modules that alter stream output.' },
  'xmpp.no-starttls': { what: 'The XMPP server does not offer STARTTLS.', fix: 'Enable TLS for client and server connections (Prosody: c2s_require_encryption; ejabberd: starttls_required).' },
  xmpp: { what: 'The XMPP stream failed.', fix: 'Check the server log for stream errors at the time of the probe.' },
  'policy.robots-disallowed': { what: 'robots.txt asks crawlers to stay away, so Chatlas did not probe further.', fix: 'Nothing to fix: this is respected. Allow the Chatlas user agent to be listed.' },
  'policy.opted-out': { what: 'The server opted out of Chatlas.', fix: 'Nothing to fix: remove the opt-out to be listed again.' },
  policy: { what: 'Chatlas held back by policy (rate limit or opt-out).', fix: 'Nothing to fix on your side.' },
  matrix: { what: 'The Matrix server answered in a way that does not follow the specification.', fix: 'Check the homeserver version and the reverse proxy.' },
};

/** Outcomes that are results, not failures (crawler/types.ts Observation.outcome). */
const EXPECTED = new Set(['ok', 'absent', 'auth-required', 'not-found', 'disabled', 'skipped']);

/** Help for a ProbeError code: exact code first, then its family. */
export function explainCode(code: string): { what: string; fix: string } {
  return CODE_HELP[code] ?? CODE_HELP[code.split('.')[0]!] ?? { what: `The probe step failed (${code}).`, fix: 'Check the server log at the time of the probe.' };
}

/** Build the findings, most serious first. `now` dates certificate expiry. */
export function healthReport(server: ServerDetail, observations: readonly ObservationRow[], now: Date): Finding[] {
  const out: Finding[] = [];
  const { latest, lastOk } = server;
  const facts = latest.status === 'ok' ? latest : lastOk;
  if (latest.status !== 'ok') {
    out.push({
      level: 'error',
      title: `Not reachable at the latest probe (${latest.status})`,
      detail: latest.error || 'The server did not answer.',
      fix: lastOk ? `Last answered on ${formatDay(lastOk.observed_at)}.` : 'Chatlas never reached this server.',
    });
  }
  for (const o of observations) {
    if (o.protocol !== server.protocol || EXPECTED.has(o.outcome)) continue;
    const help = explainCode(o.outcome);
    out.push({ level: 'error', title: `Step ${o.step} failed: ${o.outcome}`, detail: `${help.what}${o.error ? ` (${o.error})` : ''}`, fix: help.fix });
  }
  if (facts) {
    if (facts.tls_valid === false) {
      out.push({ level: 'error', title: 'TLS certificate does not verify', detail: 'Other servers and clients will refuse to connect, or warn their users.', fix: explainCode('tls.cert-invalid').fix });
    } else if (facts.tls_valid === true && facts.tls_expires_at) {
      const days = Math.floor((Date.parse(facts.tls_expires_at) - now.getTime()) / 86_400_000);
      if (days < 0) out.push({ level: 'error', title: 'TLS certificate expired', detail: `Expired on ${formatDay(facts.tls_expires_at)}.`, fix: explainCode('tls.expired').fix });
      else if (days <= 14) out.push({ level: 'warning', title: `TLS certificate expires in ${days} day${days === 1 ? '' : 's'}`, detail: `Valid until ${formatDay(facts.tls_expires_at)}.`, fix: 'Renew it now and make sure automatic renewal works (certbot renew --dry-run).' });
      else out.push({ level: 'ok', title: 'TLS certificate valid', detail: `Valid until ${formatDay(facts.tls_expires_at)}${facts.tls_issuer ? `, issued by ${facts.tls_issuer}` : ''}.`, fix: '' });
    }
    if (facts.ipv6 === false) out.push({ level: 'info', title: 'Not reachable over IPv6', detail: 'Servers and people on IPv6-only networks cannot reach it directly.', fix: 'Publish an AAAA record and listen on the IPv6 address.' });
    if (facts.dnssec === false) out.push({ level: 'info', title: 'DNS not signed (DNSSEC)', detail: 'DNS answers for the service can be forged on the path.', fix: 'Enable DNSSEC signing at your DNS host and publish the DS record at the registrar.' });
    if (facts.dnssec === true && facts.dane === false && server.protocol === 'xmpp') out.push({ level: 'info', title: 'No DANE (TLSA) records', detail: 'With DNSSEC in place, TLSA records let other servers pin your certificate.', fix: 'Publish a TLSA record (3 1 1) for _5269._tcp and _5222._tcp of the SRV targets.' });
    if (facts.registration === 'open') out.push({ level: 'warning', title: 'Open registration', detail: 'Anyone can create an account without a captcha, e-mail or token: servers like this are a common source of spam.', fix: 'Require a captcha, e-mail verification or registration tokens, or close registration.' });
  }
  for (const f of crawlerFindings(latest.report)) out.push(f);
  const order = { error: 0, warning: 1, info: 2, ok: 3 };
  return out.sort((a, b) => order[a.level] - order[b.level]);
}

/** Keep only well-formed findings from the stored report, strings capped. */
function crawlerFindings(report: unknown[]): Finding[] {
  const out: Finding[] = [];
  for (const item of report.slice(0, 50)) {
    if (!item || typeof item !== 'object') continue;
    const r = item as Record<string, unknown>;
    const level = r.level === 'error' || r.level === 'warning' || r.level === 'info' || r.level === 'ok' ? r.level : null;
    if (!level || typeof r.title !== 'string') continue;
    const s = (v: unknown) => (typeof v === 'string' ? v.slice(0, 500) : '');
    out.push({ level, title: s(r.title), detail: s(r.detail), fix: s(r.fix) });
  }
  return out;
}
