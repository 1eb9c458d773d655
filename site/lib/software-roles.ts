/**
 * Software that answers a protocol's federation without being one of its
 * servers (ejabberd's Matrix gateway, the MRS and Chatlas room directories;
 * crawler/software-role.ts) is shown on the software pages, but apart from
 * the implementations: never in their comparison, shares, registration or
 * feature tables, nor in an implementation's version history.
 */
import type { Protocol } from '../../crawler/types.ts';
import { softwareRole, type ServerRole } from '../../crawler/software-role.ts';

/** What the page says a role is, for a non-server role; null for `server`. */
export function roleLabel(protocol: Protocol, software: string): string | null {
  const role = softwareRole(protocol, software);
  if (role === 'server') return null;
  const name = protocol === 'matrix' ? 'Matrix' : 'XMPP';
  return role === 'gateway' ? `${name} gateway, not a ${protocol === 'matrix' ? 'homeserver' : 'server'}` : `room directory, not a ${protocol === 'matrix' ? 'homeserver' : 'server'}`;
}

/** True for the rows of the protocol's own server implementations. */
export function isServer(row: { protocol: Protocol; software: string }): boolean {
  return softwareRole(row.protocol, row.software) === 'server';
}

/** Rows split into the implementations and the others (each with its role), order kept. */
export function splitByRole<T extends { protocol: Protocol; software: string }>(rows: readonly T[]): { servers: T[]; others: (T & { role: ServerRole })[] } {
  const servers: T[] = [];
  const others: (T & { role: ServerRole })[] = [];
  for (const row of rows) {
    const role = softwareRole(row.protocol, row.software);
    if (role === 'server') servers.push(row);
    else others.push({ ...row, role });
  }
  return { servers, others };
}

/**
 * The protocol whose versions are a software's own, when it also answers
 * another protocol in another role: ejabberd's versions are its XMPP servers'
 * (its Matrix gateway reports the module's own "0.1"). '' = every protocol.
 */
export function ownVersionsProtocol(rows: readonly { protocol: Protocol; software: string }[]): Protocol | '' {
  const own = [...new Set(rows.filter(isServer).map((r) => r.protocol))];
  return own.length === 1 && rows.some((r) => !isServer(r)) ? own[0]! : '';
}
