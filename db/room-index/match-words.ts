/**
 * The matching step of a search (room-index.ts): every slot having all the
 * query's words, the last one also as a prefix, with the ranking inputs of
 * each kept in the columns' scratch arrays (the summed field weights in
 * `score`, the words found in the name in `inName`). Postings are walked
 * once each; a slot counts for word i only if it had words 0..i-1, so no
 * intersection is built.
 */
import type { Postings } from './postings.ts';
import { FIELD, PREFIX_FACTOR, fieldWeight } from './rank.ts';
import type { SlotColumns } from './slot-columns.ts';

/**
 * Write the matching slots (dead ones included: the caller filters) into
 * `hits` and return how many. `gen` is this search's number: stamps equal
 * to it mark slots touched by this search. `exactSlot`, the room whose
 * address or id is the query, is a match even when its words are not all
 * indexed (a room id's are not).
 */
export function matchWords(
  c: SlotColumns, postings: Postings, hits: Int32Array, gen: number,
  words: readonly string[], prefixLast: boolean, exactSlot: number | undefined,
): number {
  let found = 0;
  const { stamp, count, score, inName } = c;
  const last = words.length - 1;
  for (let i = 0; i < words.length; i++) {
    let touched = false;
    for (const { posting, exact } of postings.expand(words[i]!, prefixLast && i === last)) {
      const factor = exact ? 1 : PREFIX_FACTOR;
      const ids = posting.ids;
      for (let j = 0; j < posting.n; j++) {
        const e = ids[j]!;
        const slot = e >>> 4;
        if (i === 0) {
          // A slot in two expansions of the first word counts once, with the first (the typed word's own).
          if (stamp[slot] === gen) continue;
          stamp[slot] = gen;
          count[slot] = 1;
          score[slot] = fieldWeight(e & 15) * factor;
          inName[slot] = e & FIELD.name;
          if (last === 0) hits[found++] = slot;
          touched = true;
        } else if (stamp[slot] === gen && count[slot] === i) {
          count[slot] = i + 1;
          score[slot]! += fieldWeight(e & 15) * factor;
          inName[slot]! += e & FIELD.name;
          if (i === last) hits[found++] = slot;
          touched = true;
        }
      }
    }
    // No slot went on to this word: nothing can match all of them.
    if (!touched) break;
  }
  if (exactSlot !== undefined && !(stamp[exactSlot] === gen && count[exactSlot] === words.length)) {
    stamp[exactSlot] = gen;
    count[exactSlot] = words.length;
    score[exactSlot] = 0;
    inName[exactSlot] = 0;
    hits[found++] = exactSlot;
  }
  return found;
}
