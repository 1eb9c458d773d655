/**
 * The role a server plays in its protocol's network, read from its stored
 * software key (crawler/software-key.ts). Not everything that answers
 * `GET /_matrix/federation/v1/version` is a homeserver: ejabberd's
 * `mod_matrix_gw` is an XMPP server federating into Matrix (a gateway), MRS
 * (`MatrixRoomsSearch`) and Chatlas itself are room directories. They are
 * recognised and counted under their own software key, but never among the
 * homeserver implementations (the software pages, their shares and the API say
 * so through {@link softwareRole}).
 *
 * The role is decided by the identification rule that produced the key
 * (`role` in crawler/identify/*-rules.ts), so it is a function of
 * (protocol, key) and never stored apart from the key: a stored role could
 * disagree with the key, and snapshots written before a rule gained its role
 * are read right without a migration. Written by the rule tables, read by
 * the crawler's report, the software queries and the site.
 */
import type { Protocol } from './types.ts';
import { MATRIX_RULES } from './identify/matrix-rules.ts';
import { XMPP_RULES } from './identify/xmpp-rules.ts';

/**
 * - `server`: an implementation of the protocol's server (a Matrix homeserver,
 *   an XMPP server); also every key no rule gave another role (`unknown`,
 *   `unrecognised…`), as before roles existed;
 * - `gateway`: a server of another protocol federating into this one
 *   (ejabberd's Matrix gateway);
 * - `directory`: a room directory that federates to be asked, with no users
 *   or rooms of its own (MRS, Chatlas).
 */
export const SERVER_ROLES = ['server', 'gateway', 'directory'] as const;
export type ServerRole = (typeof SERVER_ROLES)[number];

/** Software key → its role, per protocol, from the rules that give one. */
const ROLES: Record<Protocol, ReadonlyMap<string, ServerRole>> = {
  matrix: new Map(MATRIX_RULES.flatMap((r) => (r.role ? [[r.software, r.role] as const] : []))),
  xmpp: new Map(XMPP_RULES.flatMap((r) => (r.role ? [[r.software, r.role] as const] : []))),
};

/**
 * The role of the servers stored with `software` in `protocol`.
 * @example softwareRole('matrix', 'ejabberd') // 'gateway'
 * @example softwareRole('xmpp', 'ejabberd') // 'server'
 * @example softwareRole('matrix', 'unrecognised:hungry server') // 'server'
 */
export function softwareRole(protocol: Protocol, software: string): ServerRole {
  return ROLES[protocol]?.get(software) ?? 'server';
}

/** What a role is, in the words of a report line; null for `server`. */
const ROLE_NOTES: Record<Protocol, Record<Exclude<ServerRole, 'server'>, string>> = {
  matrix: {
    gateway: 'a gateway of another protocol federating into Matrix, not a Matrix homeserver: it is counted under its own software, apart from the homeservers, and has no Matrix users, client API or room directory of its own',
    directory: 'a Matrix room directory, not a homeserver: it federates so that other servers and clients can search the rooms it indexes, and it is counted apart from the homeservers',
  },
  xmpp: {
    gateway: 'a gateway of another protocol federating into XMPP, not an XMPP server: it is counted apart from the XMPP servers',
    directory: 'an XMPP room directory, not an XMPP server: it is counted apart from the XMPP servers',
  },
};

/**
 * The report line for a server whose software plays another role than a
 * server's, quoting the name it reported; null for a server.
 */
export function roleNote(protocol: Protocol, software: string, nameRaw: string): string | null {
  const role = softwareRole(protocol, software);
  if (role === 'server') return null;
  return `The server names its software ${JSON.stringify(nameRaw)}: ${ROLE_NOTES[protocol][role]}.`;
}
