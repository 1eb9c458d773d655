import { UNRECOGNISED_PREFIX, UNRECOGNISED_SOFTWARE } from '../../../crawler/types.ts';

/**
 * Servers that must share an unrecognised name before the software pages show
 * it as a row of its own (one lab, or one admin with a few domains, cannot
 * make up an implementation). @default 5
 */
export const MIN_SERVERS_PER_NAME = 5;

/** A stored value that is a rule's name, `unknown` or `unrecognised` (crawler/software-key.ts NAMED). */
const NAMED_SQL = "'^[a-z0-9][a-z0-9._-]{0,63}$'";

/**
 * The software key the software pages and statistics group by, from a stored
 * `software` value (crawler/software-key.ts says what the crawler writes):
 * - `unrecognised:<name>` stays while at least {@link MIN_SERVERS_PER_NAME}
 *   servers of the protocol report it now (their last good probe,
 *   servers_last_ok), else it is folded into `unrecognised`;
 * - rule names, `unknown` and `unrecognised` stay;
 * - anything else is a cleaned copy of a reported name that stores written
 *   before that contract hold (the lab's `img srcx onerroralerteta`), folded
 *   into `unrecognised` when it is not a plain lower-case word.
 *
 * `protocol` and `software` are column expressions of the calling query
 * (never user input). The threshold is counted over the current state, so a
 * name's history shows under its own row exactly while it is shared now.
 */
export function softwareGroupSql(protocol: string, software: string): string {
  return `multiIf(
    startsWith(${software}, '${UNRECOGNISED_PREFIX}'),
    if((${protocol}, ${software}) IN (
      SELECT protocol, software FROM servers_last_ok FINAL
      WHERE startsWith(software, '${UNRECOGNISED_PREFIX}')
      GROUP BY protocol, software HAVING count() >= ${MIN_SERVERS_PER_NAME}
    ), ${software}, '${UNRECOGNISED_SOFTWARE}'),
    match(${software}, ${NAMED_SQL}), ${software},
    '${UNRECOGNISED_SOFTWARE}')`;
}
