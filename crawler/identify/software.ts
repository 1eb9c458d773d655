/**
 * Software identification from what a server reports about itself.
 * Shared by both protocols: each passes its own rule table
 * (`matrix-rules.ts`, `xmpp-rules.ts`).
 */
import { normaliseVersion, type NormalisedVersion } from './version.ts';

/** One identification rule: a reported name pattern → our normalised name. */
export interface SoftwareRule {
  /** Normalised software name (`synapse`, `prosody`, …). */
  software: string;
  /** Matches the reported name (trimmed). */
  name: RegExp;
  /** Where the server produces the string (repository + path), for review. */
  source: string;
}

/** The identification of one server. */
export interface SoftwareId {
  /** Normalised name from a rule, the cleaned reported name when no rule matches, or `unknown`. */
  software: string;
  /** A rule matched (false: the reported name was kept as is). */
  known: boolean;
  /** The name as reported. */
  nameRaw: string;
  version: NormalisedVersion;
}

/** Longest reported name kept as a software name. @default 64 */
export const MAX_SOFTWARE_NAME = 64;

/**
 * Identify software from a reported name and version.
 * Unknown names are kept (lower-cased, printable ASCII-ish, cut) so new
 * implementations show up in the statistics instead of vanishing into `unknown`.
 */
export function identifySoftware(name: string, version: string, rules: readonly SoftwareRule[]): SoftwareId {
  const nameRaw = (typeof name === 'string' ? name : '').trim().slice(0, 200);
  const normalised = normaliseVersion(version);
  for (const rule of rules) {
    if (rule.name.test(nameRaw)) return { software: rule.software, known: true, nameRaw, version: normalised };
  }
  const cleaned = nameRaw.toLowerCase().replace(/[^\p{L}\p{N} ._+-]/gu, '').replace(/\s+/g, ' ').trim().slice(0, MAX_SOFTWARE_NAME);
  return { software: cleaned || 'unknown', known: false, nameRaw, version: normalised };
}
