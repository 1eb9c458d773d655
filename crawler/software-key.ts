/**
 * What `ServerSnapshot.software` (the `software` column and every rollup keyed
 * by it) may hold, written by crawler/identify/software.ts and read by the
 * store's software queries and the site. A server chooses the name it reports,
 * so a name no rule knows is never stored as an implementation of its own:
 *
 * - a name from the rule tables (`synapse`, `prosody`, …);
 * - `unknown`: nothing was reported;
 * - `unrecognised:<name>`: a name no rule knows, kept for grouping because it
 *   is plain (ASCII letters, digits, `-`, `_`, `.`, inner spaces; at most
 *   {@link MAX_GROUP_NAME} characters), lower-cased, spaces collapsed. The
 *   software pages show it as its own row only once enough servers share it
 *   (db/queries/software/software-group-sql.ts), else under `unrecognised`;
 * - `unrecognised`: any other name (markup, control or non-ASCII characters,
 *   too long). The raw string stays in the probe's report, shown escaped on
 *   the server page.
 */

/** The key of a name no rule knows and that is not kept for grouping. */
export const UNRECOGNISED_SOFTWARE = 'unrecognised';
/** The key of nothing reported. */
export const UNKNOWN_SOFTWARE = 'unknown';
/** Prefix of an unrecognised but plain name kept for grouping: `unrecognised:<name>`. */
export const UNRECOGNISED_PREFIX = 'unrecognised:';
/** Longest unrecognised name kept for grouping. @default 40 */
export const MAX_GROUP_NAME = 40;

/** Plain: starts and ends with a letter or digit; inside, also `-`, `_`, `.` and spaces (collapsed before the test). */
const PLAIN = /^[a-z0-9](?:[a-z0-9 ._-]*[a-z0-9])?$/;

/** What a rule's normalised name looks like (`synapse`, `mongooseim`): also the site's URL rule for `/software/<name>`. */
export const NAMED = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * The stored key of a reported name that no rule matched.
 * @example unrecognisedKey('Hungry Server') // 'unrecognised:hungry server'
 * @example unrecognisedKey('<img src=x onerror=alert(1)>') // 'unrecognised'
 * @example unrecognisedKey('') // 'unknown'
 */
export function unrecognisedKey(reported: string): string {
  const name = (typeof reported === 'string' ? reported : '').replace(/\s+/g, ' ').trim().toLowerCase();
  if (name === '') return UNKNOWN_SOFTWARE;
  if (name.length > MAX_GROUP_NAME || !PLAIN.test(name)) return UNRECOGNISED_SOFTWARE;
  return `${UNRECOGNISED_PREFIX}${name}`;
}

/** A stored key read back. */
export type SoftwareKey =
  | { kind: 'named'; name: string }
  | { kind: 'unknown' }
  | { kind: 'unrecognised'; name: string | null };

/**
 * Read a stored `software` value. Values written before this contract (a
 * cleaned copy of any reported name) that are not plain lower-case words are
 * read as unrecognised without a name.
 */
export function parseSoftwareKey(stored: string): SoftwareKey {
  if (stored === UNKNOWN_SOFTWARE || stored === '') return { kind: 'unknown' };
  if (stored === UNRECOGNISED_SOFTWARE) return { kind: 'unrecognised', name: null };
  if (stored.startsWith(UNRECOGNISED_PREFIX)) {
    const name = stored.slice(UNRECOGNISED_PREFIX.length);
    return { kind: 'unrecognised', name: name.length <= MAX_GROUP_NAME && PLAIN.test(name) ? name : null };
  }
  return NAMED.test(stored) ? { kind: 'named', name: stored } : { kind: 'unrecognised', name: null };
}
