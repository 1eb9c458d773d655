/**
 * Findings from the facts of a server's latest answered probe, for what no
 * step outcome says: the certificate's validity and expiry, IPv6, DNSSEC,
 * DANE, open registration. Part of the health report (health-report.ts).
 */
import type { Protocol, ReportItem } from '../types.ts';
import { explainCode } from './code-help.ts';
import type { Finding } from './health-report.ts';

/** Facts of one probe, as both a fresh ProbeResult and the store can give them. */
export interface HealthFacts {
  /** Chain and name verify (crawler/types.ts `isTlsValid`); null when not observed. */
  tlsValid: boolean | null;
  tlsExpiresAt: Date | null;
  tlsIssuer: string;
  ipv6: boolean | null;
  dnssec: boolean | null;
  dane: boolean | null;
  /** A RegistrationMode. */
  registration: string;
}

/** Certificates closer than this to expiry are warned about. @default 14 days */
export const EXPIRY_WARNING_DAYS = 14;

/** Steps whose crawler items speak about the certificate (`tls.federation`, `xmpp.c2s-tls`, …). */
const TLS_STEP = /^tls\.|-tls$/;

const day = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * The findings of `facts` (none when null). The certificate's plain verdict
 * (valid / does not verify) is left out when the crawler already wrote an
 * item about a TLS step; its expiry is always checked against `now`.
 */
export function factFindings(protocol: Protocol, facts: HealthFacts | null, report: readonly ReportItem[], now: Date): Finding[] {
  if (!facts) return [];
  const out: Finding[] = [];
  const saidTls = report.some((r) => TLS_STEP.test(r.step));
  const f = (level: Finding['level'], title: string, detail: string, fix: string): void => {
    out.push({ level, title, detail, fix, steps: [] });
  };
  if (facts.tlsValid === false) {
    if (!saidTls) f('error', 'TLS certificate does not verify', 'Other servers and clients will refuse to connect, or warn their users.', explainCode('tls.cert-invalid').fix);
  } else if (facts.tlsValid === true && facts.tlsExpiresAt) {
    const days = Math.floor((facts.tlsExpiresAt.getTime() - now.getTime()) / 86_400_000);
    if (days < 0) f('error', 'TLS certificate expired', `Expired on ${day(facts.tlsExpiresAt)}.`, explainCode('tls.expired').fix);
    else if (days <= EXPIRY_WARNING_DAYS) f('warn', `TLS certificate expires in ${days} day${days === 1 ? '' : 's'}`, `Valid until ${day(facts.tlsExpiresAt)}.`, 'Renew it now and make sure automatic renewal works (certbot renew --dry-run).');
    else if (!saidTls) f('ok', 'TLS certificate valid', `Valid until ${day(facts.tlsExpiresAt)}${facts.tlsIssuer ? `, issued by ${facts.tlsIssuer}` : ''}.`, '');
  }
  if (facts.ipv6 === false) f('info', 'Not reachable over IPv6', 'Servers and people on IPv6-only networks cannot reach it directly.', 'Publish an AAAA record and listen on the IPv6 address.');
  if (facts.dnssec === false) f('info', 'DNS not signed (DNSSEC)', 'DNS answers for the service can be forged on the path.', 'Enable DNSSEC signing at your DNS host and publish the DS record at the registrar.');
  if (facts.dnssec === true && facts.dane === false && protocol === 'xmpp') f('info', 'No DANE (TLSA) records', 'With DNSSEC in place, TLSA records let other servers pin your certificate.', 'Publish a TLSA record (3 1 1) for _5269._tcp and _5222._tcp of the SRV targets.');
  if (facts.registration === 'open') f('warn', 'Open registration', 'Anyone can create an account without a captcha, e-mail or token: servers like this are a common source of spam.', 'Require a captcha, e-mail verification or registration tokens, or close registration.');
  return out;
}
