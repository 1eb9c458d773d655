import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, normaliseVersion } from '../../../../crawler/identify/version.ts';
import { identifySoftware } from '../../../../crawler/identify/software.ts';
import { MATRIX_RULES } from '../../../../crawler/identify/matrix-rules.ts';

// Real strings: PROTOCOLS.md §3.6 (XEP-0092 values from the providers snapshot) and Matrix servers' version formats.
const CASES: [string, number | null, number | null, number | null, string, string][] = [
  ['1.163.2', 1, 163, 2, 'release', '1.163.2'],
  ['1.144.0rc1', 1, 144, 0, 'rc', '1.144.0'],
  ['0.99.2rc1 (b=develop, abcdef123)', 0, 99, 2, 'rc', '0.99.2'],
  ['1.98.0 (b=develop,9f3c1b2)', 1, 98, 0, 'git', '1.98.0'],
  ['0.4.6 (8c2b0e2)', 0, 4, 6, 'git', '0.4.6'],
  ['0.13.7+8e5b6e1', 0, 13, 7, 'git', '0.13.7'],
  ['0.5.0-rc.6 (4f1d5c3)', 0, 5, 0, 'rc', '0.5.0'],
  ['13.0.6', 13, 0, 6, 'release', '13.0.6'],
  ['0.12.4', 0, 12, 4, 'release', '0.12.4'],
  ['13.0 nightly build 97 (2026-05-30, c4aa9b2b4787)', 13, 0, null, 'nightly', '13.0.0'],
  ['trunk nightly build 2075 (2026-05-30)', null, null, null, 'trunk', ''],
  ['hg:41fa97090264', null, null, null, 'hg', ''],
  ['26.4.0', 26, 4, 0, 'release', '26.4.0'],
  ['23.10-1', 23, 10, null, 'distro', '23.10.0'],
  ['23.01-1', 23, 1, null, 'distro', '23.1.0'],
  ['git', null, null, null, 'git', ''],
  ['26.01.51-magicbroccoli.de', 26, 1, 51, 'distro', '26.1.51'],
  ['v2.0.0-beta.1', 2, 0, 0, 'beta', '2.0.0'],
  ['', null, null, null, 'unknown', ''],
  ['Dendrite', null, null, null, 'unknown', ''],
];

for (const [raw, major, minor, patch, channel, text] of CASES) {
  test(`normaliseVersion(${JSON.stringify(raw)})`, () => {
    const v = normaliseVersion(raw);
    assert.deepEqual({ major: v.major, minor: v.minor, patch: v.patch, channel: v.channel, text: v.text, raw: v.raw }, { major, minor, patch, channel, text, raw });
  });
}

test('compareVersions orders numerically, not as text', () => {
  assert.ok(compareVersions(normaliseVersion('1.99.0'), normaliseVersion('1.100.0')) < 0);
  assert.equal(compareVersions(normaliseVersion('1.2'), normaliseVersion('1.2.0')), 0);
});

test('identifySoftware: known names whatever their case; a name no rule knows is unrecognised, its raw form kept', () => {
  assert.equal(identifySoftware('Synapse', '1.163.2', MATRIX_RULES).software, 'synapse');
  assert.equal(identifySoftware('CONDUWUIT', '0.4.6', MATRIX_RULES).software, 'conduwuit');
  assert.equal(identifySoftware('Conduit', '0.9.0', MATRIX_RULES).software, 'conduit');
  const other = identifySoftware('  Hungry<script>serv ', '1', MATRIX_RULES);
  assert.deepEqual([other.software, other.known, other.nameRaw], ['unrecognised', false, 'Hungry<script>serv']);
  const plain = identifySoftware('Hungry Server', '1', MATRIX_RULES);
  assert.deepEqual([plain.software, plain.known, plain.nameRaw], ['unrecognised:hungry server', false, 'Hungry Server']);
  assert.equal(identifySoftware('', '', MATRIX_RULES).software, 'unknown');
});

test('every Matrix rule cites a source file', () => {
  for (const rule of MATRIX_RULES) assert.match(rule.source, /(\S+\/\S+|this repository:) \S+\.(py|go|rs|cc|erl|ts)\b/);
});
