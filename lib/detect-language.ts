/**
 * The language of a short text (a room's name and topic), for the room
 * directory's language filter: Matrix has no language field and many XMPP
 * rooms leave `muc#roominfo_lang` empty.
 *
 * The detector is ELD (npm `eld`, Efficient Language Detector, n-gram
 * scores over 60 languages, ISO 639-1 codes; the "small" database, 1.6 MB,
 * about 60 µs a text on the project's machine). Compared in BENCHMARKS.md
 * (Room search, Languages) with franc-min (ISO 639-3, 140 µs) and tinyld
 * (320 µs). A short text is not guessed at: below {@link MIN_LETTERS}
 * letters (a CJK character counts three), or when ELD itself calls the result unreliable, or when the
 * runner-up language scores within {@link MIN_MARGIN} of the winner
 * (Cyrillic languages lead each other by about 2 %), the answer is "unknown".
 */
import { eld } from 'eld/small';

/** Letters a text needs before its language is guessed. @default 24 */
export const MIN_LETTERS = 24;

/** Least relative lead of the best language over the second. @default 0.01 */
export const MIN_MARGIN = 0.01;

/** A detected language. */
export interface DetectedLanguage {
  /** ISO 639-1 code, e.g. `de`; '' when unknown. */
  language: string;
  /** 0 when unknown; otherwise the best score's relative lead over the second, in (MIN_MARGIN, 1]. */
  confidence: number;
}

const UNKNOWN: DetectedLanguage = { language: '', confidence: 0 };
const LETTER = /\p{L}/gu;
// A Chinese, Japanese or Korean character says about as much as a short word: it counts three letters.
const IDEOGRAPHIC = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;

/** The language of `text`, or unknown when the text is too short or the detector unsure. */
export function detectLanguage(text: string): DetectedLanguage {
  const letters = (text.match(LETTER)?.length ?? 0) + 2 * (text.match(IDEOGRAPHIC)?.length ?? 0);
  if (letters < MIN_LETTERS) return UNKNOWN;
  const result = eld.detect(text);
  if (!result.language || !result.isReliable()) return UNKNOWN;
  const scores = Object.values(result.getScores()).sort((a, b) => b - a);
  const best = scores[0] ?? 0;
  const lead = best > 0 ? (best - (scores[1] ?? 0)) / best : 0;
  if (lead < MIN_MARGIN) return UNKNOWN;
  return { language: result.language, confidence: Math.round(lead * 1000) / 1000 };
}
