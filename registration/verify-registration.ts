/**
 * Check a pending registration's challenge. On proof: the registration
 * becomes `verified`, and a management secret is returned this once (only
 * its hash is stored). Past the deadline: it becomes `expired`.
 */
import type { Db } from '../db/client.ts';
import { getRegistration } from '../db/queries/registrations/get-registration.ts';
import { insertRegistration } from '../db/queries/registrations/insert-registration.ts';
import type { Registration } from '../db/queries/registrations/registration-row.ts';
import { registrationLimits, type RegistrationDeps } from './deps.ts';
import { refuse, type Outcome } from './outcome.ts';
import { publicView, type RegistrationView } from './public-view.ts';
import { hashSecret, newSecret } from './secrets.ts';
import { verifyOwnership, type OwnershipEvidence } from './verify-ownership.ts';

/** A proven registration and its management secret (shown once). */
export interface VerifiedRegistration {
  registration: RegistrationView;
  /** Bearer secret for PATCH /api/v1/registrations/{id}; store it now, it is not shown again. */
  managementSecret: string;
  evidence: OwnershipEvidence[];
}

/** Mark a pending registration expired when its deadline passed; returns the stored version. */
export async function expireIfOverdue(db: Db, r: Registration, now: Date): Promise<Registration> {
  if (r.state !== 'pending' || r.expiresAt.getTime() > now.getTime()) return r;
  const expired: Registration = { ...r, state: 'expired', updatedAt: new Date(Math.max(now.getTime(), r.updatedAt.getTime() + 1)) };
  await insertRegistration(db, expired);
  return expired;
}

/** Verify registration `id` now. */
export async function verifyRegistration(db: Db, deps: RegistrationDeps, id: string, now: Date): Promise<Outcome<VerifiedRegistration>> {
  const found = await getRegistration(db, id);
  if (!found) return refuse('not-found', `no registration ${JSON.stringify(id)}`);
  const current = await expireIfOverdue(db, found, now);
  if (current.state === 'expired') return refuse('registration-expired', `the deadline ${current.expiresAt.toISOString()} passed without proof; submit the domain again for a new token`);
  if (current.state !== 'pending') return refuse('conflict', `the registration is ${current.state}, not pending`);

  const result = await verifyOwnership(current.domain, current.token, deps.net, registrationLimits(deps).verifyTimeoutMs);
  if (!result.verified) {
    return refuse('verification-failed', `neither the DNS record nor the well-known file holds the token yet (deadline ${current.expiresAt.toISOString()})`, { evidence: result.evidence });
  }
  const secret = newSecret();
  const verified: Registration = {
    ...current,
    state: 'verified',
    method: result.method!,
    verifiedAt: now,
    updatedAt: new Date(Math.max(now.getTime(), current.updatedAt.getTime() + 1)),
    adminSecretHash: hashSecret(secret),
  };
  await insertRegistration(db, verified);
  return { ok: true, value: { registration: publicView(verified), managementSecret: secret, evidence: result.evidence } };
}
