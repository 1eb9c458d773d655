/**
 * Changes a verified admin may make: description, contact, hiding the server
 * or single rooms, and the opt-out (removal) or its lifting. Every change is
 * authenticated by the management secret; an opt-out is also written to
 * `opt_outs`, which the crawler scheduler reads before probing.
 */
import type { Db } from '../db/client.ts';
import { getRegistration } from '../db/queries/registrations/get-registration.ts';
import { insertRegistration } from '../db/queries/registrations/insert-registration.ts';
import { insertOptOut } from '../db/queries/registrations/insert-opt-out.ts';
import type { Registration } from '../db/queries/registrations/registration-row.ts';
import { refuse, type Outcome } from './outcome.ts';
import { publicView, type RegistrationView } from './public-view.ts';
import { secretMatches } from './secrets.ts';

/** The fields an admin may change; absent fields stay as they are. */
export interface RegistrationChanges {
  description?: string;
  contact?: string;
  hidden?: boolean;
  hiddenRooms?: string[];
  optOut?: boolean;
}

/** Apply `changes` to registration `id` if `secret` is its management secret. */
export async function manageRegistration(db: Db, id: string, secret: string, changes: RegistrationChanges, now: Date): Promise<Outcome<RegistrationView>> {
  const current = await getRegistration(db, id);
  // The same answer for "no such id" and "wrong secret", so ids cannot be probed for existence with guesses.
  if (!current || !secretMatches(secret, current.adminSecretHash)) return refuse('unauthorized', 'the management secret does not match this registration');
  if (current.state !== 'verified' && current.state !== 'removed') return refuse('conflict', `the registration is ${current.state}; only a verified registration can be managed`);
  const optOut = changes.optOut ?? current.optOut;
  const next: Registration = {
    ...current,
    description: changes.description ?? current.description,
    contact: changes.contact ?? current.contact,
    hidden: changes.hidden ?? current.hidden,
    hiddenRooms: changes.hiddenRooms ? [...new Set(changes.hiddenRooms)].sort() : current.hiddenRooms,
    optOut,
    state: optOut ? 'removed' : 'verified',
    updatedAt: new Date(Math.max(now.getTime(), current.updatedAt.getTime() + 1)),
  };
  await insertRegistration(db, next);
  if (optOut !== current.optOut) {
    await insertOptOut(db, { domain: current.domain, source: 'registration', active: optOut, observedAt: next.updatedAt });
  }
  return { ok: true, value: publicView(next) };
}
