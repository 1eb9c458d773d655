/**
 * Software identification from what a server reports about itself.
 * Shared by both protocols: each passes its own rule table
 * (`matrix-rules.ts`, `xmpp-rules.ts`).
 *
 * A name no rule knows is the server's own choice of string, so it never
 * becomes an implementation: it is stored as `unrecognised` (or, when plain,
 * `unrecognised:<name>` for grouping; crawler/software-key.ts) and its raw
 * form goes to the report, which the server page shows escaped.
 */
import { normaliseVersion, type NormalisedVersion } from './version.ts';
import { unrecognisedKey } from '../software-key.ts';
import type { ServerRole } from '../software-role.ts';

/** One identification rule: a reported name pattern → our normalised name. */
export interface SoftwareRule {
  /** Normalised software name (`synapse`, `prosody`, …). */
  software: string;
  /** Matches the reported name (trimmed). */
  name: RegExp;
  /**
   * Matches the reported version (trimmed) too, for a name that alone would be
   * another implementation's (conduwuit builds that reported `conduit`).
   * @default any version
   */
  version?: RegExp;
  /**
   * What servers so identified are, when not the protocol's server: a gateway
   * from another protocol, a room directory (crawler/software-role.ts). Every
   * rule of one software key in one table gives the same role.
   * @default 'server'
   */
  role?: Exclude<ServerRole, 'server'>;
  /** Where the server produces the string (repository + path, and the commits when it changed), for review. */
  source: string;
}

/** The identification of one server. */
export interface SoftwareId {
  /**
   * The stored key (crawler/software-key.ts): the normalised name from a rule,
   * `unrecognised:<name>` or `unrecognised` when no rule matches, `unknown` when nothing was reported.
   */
  software: string;
  /** A rule matched. */
  known: boolean;
  /** The name as reported (trimmed, at most {@link MAX_RAW_NAME} characters). */
  nameRaw: string;
  version: NormalisedVersion;
}

/** Longest reported name kept raw (for the report). @default 200 */
export const MAX_RAW_NAME = 200;

/**
 * Identify software from a reported name and version. A name no rule knows
 * gets an `unrecognised` key, never a software name of its own.
 */
export function identifySoftware(name: string, version: string, rules: readonly SoftwareRule[]): SoftwareId {
  const nameRaw = (typeof name === 'string' ? name : '').trim().slice(0, MAX_RAW_NAME);
  const normalised = normaliseVersion(version);
  for (const rule of rules) {
    if (rule.name.test(nameRaw) && (!rule.version || rule.version.test(normalised.raw))) return { software: rule.software, known: true, nameRaw, version: normalised };
  }
  return { software: unrecognisedKey(nameRaw), known: false, nameRaw, version: normalised };
}

/**
 * The report line for a name no rule knows, quoting the raw name and version
 * (the site renders report text escaped); null when a rule matched or nothing was reported.
 */
export function unrecognisedNote(id: SoftwareId): string | null {
  if (id.known || id.nameRaw === '') return null;
  const version = id.version.raw ? ` version ${JSON.stringify(id.version.raw)}` : '';
  return `The server names its software ${JSON.stringify(id.nameRaw)}${version}, which Chatlas does not recognise: it is counted as unrecognised software, not as an implementation of its own.`;
}
