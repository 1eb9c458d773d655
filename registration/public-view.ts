/**
 * What the API shows of a registration. Never the stored secret hash or the
 * client key; the challenge token only while it is still useful (pending).
 */
import type { Registration } from '../db/queries/registrations/registration-row.ts';
import { challengeInstructions } from './challenge.ts';

/** The public form of a registration. */
export interface RegistrationView {
  id: string;
  domain: string;
  state: Registration['state'];
  method: string | null;
  createdAt: string;
  expiresAt: string;
  verifiedAt: string | null;
  description: string;
  contact: string;
  hidden: boolean;
  hiddenRooms: string[];
  optOut: boolean;
  instructions: ReturnType<typeof challengeInstructions> | null;
}

export function publicView(r: Registration): RegistrationView {
  return {
    id: r.id,
    domain: r.domain,
    state: r.state,
    method: r.method === '' ? null : r.method,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    verifiedAt: r.verifiedAt?.toISOString() ?? null,
    description: r.description,
    contact: r.contact,
    hidden: r.hidden,
    hiddenRooms: r.hiddenRooms,
    optOut: r.optOut,
    instructions: r.state === 'pending' ? challengeInstructions(r.domain, r.token, r.expiresAt) : null,
  };
}
