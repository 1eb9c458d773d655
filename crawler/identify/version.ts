/**
 * Version-string normalisation shared by the XMPP and Matrix identification.
 *
 * Servers report free text (PROTOCOLS.md §3.6): `1.163.2`, `1.144.0rc1`,
 * `0.5.0 (8c2b0e2)`, `23.10-1`, `13.0 nightly build 97 (…)`, `hg:41fa97090264`,
 * `git`. We keep the raw string and derive `{major, minor, patch, channel}`.
 */

/** How a build was released. `release` is a plain numbered version. */
export const VERSION_CHANNELS = ['release', 'rc', 'beta', 'alpha', 'dev', 'nightly', 'trunk', 'hg', 'git', 'distro', 'unknown'] as const;
export type VersionChannel = (typeof VERSION_CHANNELS)[number];

/** A normalised version. Numbers are null where the string has none. */
export interface NormalisedVersion {
  /** The string as reported (trimmed, cut to 200 characters). */
  raw: string;
  major: number | null;
  minor: number | null;
  patch: number | null;
  channel: VersionChannel;
  /** `major.minor.patch` (missing minor/patch as 0) when a major was found, else ''. */
  text: string;
}

/** Longest number component we accept (rejects dates and hashes posing as versions). */
const MAX_COMPONENT = 100000;

/**
 * Normalise a reported version string.
 * @example normaliseVersion('1.144.0rc1') // { major: 1, minor: 144, patch: 0, channel: 'rc', text: '1.144.0' }
 */
export function normaliseVersion(input: string): NormalisedVersion {
  const raw = (typeof input === 'string' ? input : '').trim().slice(0, 200);
  const lower = raw.toLowerCase();
  const empty = { raw, major: null, minor: null, patch: null, text: '' };
  if (!raw) return { ...empty, channel: 'unknown' };
  if (/^hg[:\s]/.test(lower) || lower === 'hg') return { ...empty, channel: 'hg' };
  if (/^trunk\b/.test(lower)) return { ...empty, channel: 'trunk' };
  if (/^git\b/.test(lower)) return { ...empty, channel: 'git' };
  const match = /^v?(\d{1,6})(?:\.(\d{1,6}))?(?:\.(\d{1,6}))?(.*)$/i.exec(raw);
  if (!match) return { ...empty, channel: 'unknown' };
  const [major, minor, patch] = [match[1], match[2], match[3]].map((n) => (n === undefined ? null : Number(n)));
  if (major === null || major === undefined || major > MAX_COMPONENT) return { ...empty, channel: 'unknown' };
  const rest = (match[4] ?? '').trim().toLowerCase();
  return {
    raw,
    major,
    minor: minor ?? null,
    patch: patch ?? null,
    channel: channelOf(rest),
    text: `${major}.${minor ?? 0}.${patch ?? 0}`,
  };
}

/** Channel from what follows the numbers. Order matters: `rc` before `git` hashes. */
function channelOf(rest: string): VersionChannel {
  if (!rest) return 'release';
  if (/nightly/.test(rest)) return 'nightly';
  if (/trunk/.test(rest)) return 'trunk';
  if (/^[-.~+]?rc\.?\d*/.test(rest)) return 'rc';
  if (/^[-.~+]?(beta|b)\.?\d*\b/.test(rest)) return 'beta';
  if (/^[-.~+]?(alpha|a)\.?\d*\b/.test(rest)) return 'alpha';
  if (/^[-.~+]?(dev|pre|snapshot)/.test(rest)) return 'dev';
  // `1.2.3 (8c2b0e2)`, `1.2.3+8c2b0e2`, `1.2.3-5-g8c2b0e2`, `(b=develop, abc123)`: a build from git.
  if (/^(\(|\+|-\d+-g)?\s*(b=|[0-9a-f]{7,40}\b)/.test(rest)) return 'git';
  // `23.10-1`, `26.01.51-magicbroccoli.de`, `0.12.4-1~deb12u1`: a packager's suffix.
  if (/^[-~+]/.test(rest)) return 'distro';
  return 'unknown';
}

/** Compare two normalised versions numerically (nulls as 0); channels are not ordered. */
export function compareVersions(a: NormalisedVersion, b: NormalisedVersion): number {
  return (a.major ?? 0) - (b.major ?? 0) || (a.minor ?? 0) - (b.minor ?? 0) || (a.patch ?? 0) - (b.patch ?? 0);
}
