/**
 * The ranking of directory searches: one set of weights for the site's room
 * directory, `GET /api/v1/rooms` and the Matrix federation `publicRooms`
 * search, all answered by {@link RoomIndex} (db/room-index/room-index.ts).
 *
 * In order of weight:
 * 1. the query is the room's address (alias or JID) or room id;
 * 2. the query's words are the room's name (all of them, and nothing else);
 * 3. each word found in the name (or the address's local part) counts three
 *    times a word found only in the topic, and a word found only in the
 *    server's domain half as much as a topic word;
 * 4. members as a boost: a hundred times the members adds about 1.2, the
 *    value of one name word over a topic word, so a big room that only
 *    mentions the words in its topic stays below a small room named after them.
 * A word matched as the prefix of a longer word (the last word typed) counts
 * 0.8 of a whole-word match.
 */

/** Where a word was found in a room: bits of a posting. */
export const FIELD = { name: 1, topic: 2, local: 4, domain: 8 } as const;

/** Weight of one query word by the best field it was found in. */
export function fieldWeight(mask: number): number {
  if (mask & FIELD.name) return 3;
  if (mask & FIELD.local) return 2.5;
  if (mask & FIELD.topic) return 1;
  return 0.5;
}

/** A prefix match's share of a whole-word match. */
export const PREFIX_FACTOR = 0.8;

/** Added when the query is the room's address or id: always first. */
export const EXACT_ADDRESS_BONUS = 100;

/** Added when every query word is in the name. */
export const ALL_IN_NAME_BONUS = 2;

/** Added on top when the name has no other words (the query is the name). */
export const WHOLE_NAME_BONUS = 3;

/** The members boost: `0.6 * log10(1 + members)` (18,644 members: 2.56; 28 members: 0.88). */
export function membersBoost(members: number): number {
  return 0.6 * Math.log10(1 + members);
}
