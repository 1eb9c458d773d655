/**
 * Submit a domain for registration: normalise it, apply the abuse caps,
 * store a pending registration with a fresh token, and probe the domain at
 * once when a probe function is available. Nothing about the listing changes
 * until ownership is proven (verify-registration.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { countPendingRegistrations } from '../db/queries/registrations/count-pending-registrations.ts';
import { insertRegistration } from '../db/queries/registrations/insert-registration.ts';
import type { Registration } from '../db/queries/registrations/registration-row.ts';
import { insertProbeResults } from '../db/queries/observations/insert-probe-results.ts';
import { withDeadline } from '../crawler/net/deadline.ts';
import { ProbeError } from '../crawler/errors.ts';
import type { ReportItem } from '../crawler/types.ts';
import { probeHealthReport } from '../crawler/health/probe-health-report.ts';
import type { Finding } from '../crawler/health/health-report.ts';
import { registrationLimits, type RegistrationDeps } from './deps.ts';
import { registrableDomain } from './registrable-domain.ts';
import { refuse, type Outcome } from './outcome.ts';
import { publicView, type RegistrationView } from './public-view.ts';
import { hashClient, newToken } from './secrets.ts';

/** What the immediate probe found, in short, with the health report the server page shows for it. */
export interface ProbeSummary {
  status: string;
  protocol: string | null;
  software: string | null;
  version: string | null;
  error: string;
  /** The crawler's report items of the snapshot. */
  report: ReportItem[];
  /** The health report built from the probe (crawler/health/health-report.ts), as the server page builds it from the store. */
  findings: Finding[];
}

/** A new registration and the immediate probe. */
export interface RegisteredDomain {
  registration: RegistrationView;
  /** `null` when no probe function is configured (the next pass probes it). */
  probe: ProbeSummary | null;
}

/**
 * Register `input` for the client `client` (a rate-limit key such as an IP).
 * @returns the pending registration with its instructions, or a refusal.
 */
export async function registerDomain(db: Db, deps: RegistrationDeps, input: string, client: string, now: Date): Promise<Outcome<RegisteredDomain>> {
  const normal = registrableDomain(input, deps.normalise);
  if (!normal.ok) return refuse('invalid-domain', `${JSON.stringify(input.slice(0, 100))}: ${normal.reason}`);
  const domain = normal.domain;
  const limits = registrationLimits(deps);
  const clientKey = hashClient(client, deps.clientSalt ?? '');
  const pending = await countPendingRegistrations(db, { clientKey, domain, now });
  if (pending.total >= limits.maxPending) return refuse('too-many-pending', 'too many registrations are waiting for verification; try again later');
  if (pending.byClient >= limits.maxPendingPerClient) return refuse('too-many-pending', `this client already has ${pending.byClient} registrations waiting for verification; verify or let them expire first`);
  if (pending.byDomain >= limits.maxPendingPerDomain) return refuse('too-many-pending', `${domain} already has ${pending.byDomain} registrations waiting for verification`);

  const registration: Registration = {
    id: randomUUID(),
    domain,
    protocol: '',
    state: 'pending',
    method: '',
    token: newToken(),
    createdAt: now,
    expiresAt: new Date(now.getTime() + limits.ttlMs),
    verifiedAt: null,
    updatedAt: now,
    description: '',
    contact: '',
    hidden: false,
    hiddenRooms: [],
    optOut: false,
    clientKey,
    adminSecretHash: '',
  };
  await insertRegistration(db, registration);
  const probe = deps.probe ? await probeNow(db, deps, domain, limits.probeTimeoutMs) : null;
  return { ok: true, value: { registration: publicView(registration), probe } };
}

/**
 * Probe the domain within a deadline and store what came back, exactly as a
 * crawl pass would, so the server page shows the report. A failed probe is
 * a result too: it is summarised, never thrown.
 */
async function probeNow(db: Db, deps: RegistrationDeps, domain: string, timeoutMs: number): Promise<ProbeSummary> {
  try {
    const result = await withDeadline((signal) => deps.probe!(domain, signal), timeoutMs, 'net.timeout');
    result.discoveries.push({ domain, protocol: result.snapshot.protocol, via: 'registration', sourceDomain: '', foundAt: result.snapshot.observedAt });
    await insertProbeResults(db, [result]);
    const s = result.snapshot;
    return { status: s.status, protocol: s.protocol, software: s.software, version: s.version || null, error: s.error, report: s.report, findings: probeHealthReport(result) };
  } catch (error) {
    const e = ProbeError.from(error);
    return { status: 'error', protocol: null, software: null, version: null, error: `${e.code}: ${e.message}`, report: [], findings: [] };
  }
}
