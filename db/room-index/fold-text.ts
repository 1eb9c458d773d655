/**
 * Text folding for room search: what the index stores and what a query is
 * compared with go through the same two functions, so "Café", "CAFE" and
 * "cafe" are one word.
 *
 * Folding is Unicode compatibility decomposition (NFKD: "ﬁ" → "fi", full-width
 * → ASCII), combining marks removed ("é" → "e"), lower case, and a few letters
 * that have no decomposition mapped by hand ("ß" → "ss", "ø" → "o").
 * Words are runs of letters and digits; a run in a script written without
 * spaces (Chinese, Japanese, Thai …) is cut into words by the ICU word breaker
 * (`Intl.Segmenter`), as a person would search them.
 */

/** Letters NFKD leaves whole that readers treat as their base letters. */
const EXTRA: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', ł: 'l', þ: 'th', ı: 'i', ŋ: 'n', ħ: 'h' };
const EXTRA_RE = new RegExp(`[${Object.keys(EXTRA).join('')}]`, 'g');

/** Longest word kept; longer runs are cut (a hostile topic cannot make huge terms). */
export const MAX_WORD_LENGTH = 40;

const NON_ASCII = /[^\x00-\x7f]/;

/** Case, diacritics and compatibility forms folded. */
export function foldText(text: string): string {
  // Most names and topics are ASCII: nothing to decompose (a third of the index's build time otherwise).
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  const folded = text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  return EXTRA_RE.test(folded) ? folded.replace(EXTRA_RE, (c) => EXTRA[c]!) : folded;
}

const WORD_RUN = /[\p{L}\p{N}]+/gu;
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
// One segmenter for the process: constructing one costs far more than a segmentation.
let segmenter: Intl.Segmenter | undefined;

/** The words of an already folded text, in order (repeats kept). */
export function wordsOfFolded(folded: string): string[] {
  if (!NON_ASCII.test(folded)) return asciiWords(folded);
  const out: string[] = [];
  for (const match of folded.matchAll(WORD_RUN)) {
    const run = match[0];
    if (UNSPACED.test(run)) {
      segmenter ??= new Intl.Segmenter('und', { granularity: 'word' });
      for (const s of segmenter.segment(run)) if (s.isWordLike) out.push(s.segment.slice(0, MAX_WORD_LENGTH));
    } else {
      out.push(run.length > MAX_WORD_LENGTH ? run.slice(0, MAX_WORD_LENGTH) : run);
    }
  }
  return out;
}

/** The folded words of `text`. */
export function searchWords(text: string): string[] {
  return wordsOfFolded(foldText(text));
}

/** {@link wordsOfFolded} for ASCII text: runs of [a-z0-9], without a regular expression. */
function asciiWords(text: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0;
    const word = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
    if (word) { if (start < 0) start = i; } else if (start >= 0) {
      out.push(text.slice(start, Math.min(i, start + MAX_WORD_LENGTH)));
      start = -1;
    }
  }
  return out;
}
