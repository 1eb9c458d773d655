import type { Protocol } from '../../crawler/types.ts';
import { foldText, wordsOfFolded } from './fold-text.ts';
import { FIELD } from './rank.ts';

/**
 * The words of a room with the FIELD bits of where each is, written into
 * `into` (cleared first; reused per room, so indexing allocates no map):
 * name, topic, and the address split at the server, since Matrix
 * `#local:domain` and XMPP `local@domain` name the room in their local part
 * and its server in the rest. Returns the folded address (the exact-match key).
 */
export function roomWords(protocol: Protocol, name: string, topic: string, address: string, into: Map<string, number>): string {
  into.clear();
  const mark = (words: string[], bit: number) => { for (const w of words) into.set(w, (into.get(w) ?? 0) | bit); };
  mark(wordsOfFolded(foldText(name)), FIELD.name);
  mark(wordsOfFolded(foldText(topic)), FIELD.topic);
  const folded = foldText(address);
  const cut = protocol === 'matrix' ? folded.indexOf(':') : folded.indexOf('@');
  mark(wordsOfFolded(cut < 0 ? folded : folded.slice(0, cut)), FIELD.local);
  if (cut >= 0) mark(wordsOfFolded(folded.slice(cut + 1)), FIELD.domain);
  return folded;
}
