/**
 * One version of a registration (table `registrations`, migrations 0006 and
 * 0007). Each change is a new row; the newest `updated_at` wins.
 */

/** Registration states. */
export const REGISTRATION_STATES = ['pending', 'verified', 'expired', 'removed'] as const;
export type RegistrationState = (typeof REGISTRATION_STATES)[number];

/** How ownership was proven. */
export type VerificationMethod = '' | 'dns-txt' | 'well-known';

/** A registration as the code sees it. */
export interface Registration {
  id: string;
  domain: string;
  protocol: string;
  state: RegistrationState;
  method: VerificationMethod;
  token: string;
  createdAt: Date;
  expiresAt: Date;
  verifiedAt: Date | null;
  updatedAt: Date;
  description: string;
  contact: string;
  hidden: boolean;
  hiddenRooms: string[];
  optOut: boolean;
  clientKey: string;
  adminSecretHash: string;
}

/** The columns selected by the registration queries, in table names. */
export const REGISTRATION_COLUMNS = `registration_id, domain, protocol, state, method, token,
  toUnixTimestamp64Milli(created_at) AS created_ms, toUnixTimestamp64Milli(expires_at) AS expires_ms,
  toUnixTimestamp64Milli(verified_at) AS verified_ms, toUnixTimestamp64Milli(updated_at) AS updated_ms,
  description, contact, hidden, hidden_rooms, opt_out, client_key, admin_secret_hash`;

/** A row as JSONEachRow returns {@link REGISTRATION_COLUMNS}. */
export interface RegistrationRecord {
  registration_id: string;
  domain: string;
  protocol: string;
  state: string;
  method: string;
  token: string;
  created_ms: string | number;
  expires_ms: string | number;
  verified_ms: string | number | null;
  updated_ms: string | number;
  description: string;
  contact: string;
  hidden: boolean | number;
  hidden_rooms: string[];
  opt_out: boolean | number;
  client_key: string;
  admin_secret_hash: string;
}

/** Row → value. */
export function fromRecord(r: RegistrationRecord): Registration {
  return {
    id: r.registration_id,
    domain: r.domain,
    protocol: r.protocol,
    state: r.state as RegistrationState,
    method: r.method as VerificationMethod,
    token: r.token,
    createdAt: new Date(Number(r.created_ms)),
    expiresAt: new Date(Number(r.expires_ms)),
    verifiedAt: r.verified_ms === null ? null : new Date(Number(r.verified_ms)),
    updatedAt: new Date(Number(r.updated_ms)),
    description: r.description,
    contact: r.contact,
    hidden: Boolean(r.hidden),
    hiddenRooms: r.hidden_rooms,
    optOut: Boolean(r.opt_out),
    clientKey: r.client_key,
    adminSecretHash: r.admin_secret_hash,
  };
}

/** Value → row for insert (DateTime64 columns take epoch ms). */
export function toRow(r: Registration) {
  return {
    registration_id: r.id,
    domain: r.domain,
    protocol: r.protocol,
    state: r.state,
    method: r.method,
    token: r.token,
    created_at: r.createdAt.getTime(),
    expires_at: r.expiresAt.getTime(),
    verified_at: r.verifiedAt === null ? null : r.verifiedAt.getTime(),
    updated_at: r.updatedAt.getTime(),
    description: r.description,
    contact: r.contact,
    hidden: r.hidden,
    hidden_rooms: r.hiddenRooms,
    opt_out: r.optOut,
    client_key: r.clientKey,
    admin_secret_hash: r.adminSecretHash,
  };
}
