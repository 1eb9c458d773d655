/**
 * The naming rule for software no rule knows (crawler/software-key.ts and
 * crawler/identify/software.ts): hostile strings never become a software
 * name of their own; plain names are kept for grouping; the stored key reads back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_GROUP_NAME, parseSoftwareKey, unrecognisedKey } from '../../../crawler/software-key.ts';
import { identifySoftware, unrecognisedNote } from '../../../crawler/identify/software.ts';
import { MATRIX_RULES } from '../../../crawler/identify/matrix-rules.ts';
import { identifyXmpp } from '../../../crawler/identify/xmpp-rules.ts';

/** Names a server may report that must not name an implementation (each is stored as plain `unrecognised`). */
const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  "<img src=x onerror=alert('eta')>",
  '<script>alert(1)</script>',
  'javascript:alert(1)',
  '"><svg/onload=alert(1)>',
  'Synapse\u202e',            // right-to-left override
  'Syn\u200bapse',            // zero-width space
  'Ѕynapse',                  // Cyrillic capital Dze posing as S
  'Synapse\u0000',
  '{{7*7}}',
  '${jndi:ldap://x}',
  "'; DROP TABLE servers; --",
  'a'.repeat(MAX_GROUP_NAME + 1),
  'z\u0301\u0302\u0303algo',
  '-leading-dash',
  'trailing.',
  '🙂 server',
];

test('hostile names are unrecognised, never a name of their own', () => {
  for (const name of HOSTILE) {
    assert.equal(unrecognisedKey(name), 'unrecognised', JSON.stringify(name));
    const id = identifySoftware(name, '1.0', MATRIX_RULES);
    assert.deepEqual([id.software, id.known], ['unrecognised', false], JSON.stringify(name));
  }
});

test('the raw name is kept (bounded) for the report, quoted so control characters show', () => {
  const id = identifySoftware('<img src=x onerror=alert(1)>', '<b>1.0</b>', MATRIX_RULES);
  assert.equal(id.nameRaw, '<img src=x onerror=alert(1)>');
  assert.equal(id.version.raw, '<b>1.0</b>');
  assert.equal(id.version.text, '', 'a version that does not parse has no normalised form');
  assert.equal(unrecognisedNote(id), 'The server names its software "<img src=x onerror=alert(1)>" version "<b>1.0</b>", which Chatlas does not recognise: it is counted as unrecognised software, not as an implementation of its own.');
  assert.match(unrecognisedNote(identifySoftware('bad\u0007name', '', MATRIX_RULES)) ?? '', /"bad\\u0007name"/);
  assert.equal(identifySoftware('x'.repeat(5000), '', MATRIX_RULES).nameRaw.length, 200);
  assert.equal(unrecognisedNote(identifySoftware('Synapse', '1', MATRIX_RULES)), null);
  assert.equal(unrecognisedNote(identifySoftware('', '', MATRIX_RULES)), null);
});

test('plain names (letters, digits, -_. and spaces, bounded) are kept for grouping, normalised', () => {
  assert.equal(unrecognisedKey('Hungry Server'), 'unrecognised:hungry server');
  assert.equal(unrecognisedKey('  My   HomeServer\t2 '), 'unrecognised:my homeserver 2');
  assert.equal(unrecognisedKey('matrix_gw-2.1'), 'unrecognised:matrix_gw-2.1');
  // Any white space (line breaks, no-break spaces) is one space: the key stays plain ASCII.
  assert.equal(unrecognisedKey('line\nbreak\r\u00a0name'), 'unrecognised:line break name');
  assert.equal(unrecognisedKey('a'.repeat(MAX_GROUP_NAME)), `unrecognised:${'a'.repeat(MAX_GROUP_NAME)}`);
  assert.equal(unrecognisedKey(''), 'unknown');
  assert.equal(unrecognisedKey('   '), 'unknown');
  // Known names never reach this rule: the tables match first.
  assert.equal(identifyXmpp({ version: { name: 'Prosody', version: '13.0.2' } }).software, 'prosody');
});

test('stored keys read back, and legacy cleaned names that are not plain words read as unrecognised', () => {
  assert.deepEqual(parseSoftwareKey('synapse'), { kind: 'named', name: 'synapse' });
  assert.deepEqual(parseSoftwareKey('unknown'), { kind: 'unknown' });
  assert.deepEqual(parseSoftwareKey('unrecognised'), { kind: 'unrecognised', name: null });
  assert.deepEqual(parseSoftwareKey('unrecognised:hungry server'), { kind: 'unrecognised', name: 'hungry server' });
  // What the old rule stored for the lab's HTML payload.
  assert.deepEqual(parseSoftwareKey('img srcx onerroralerteta'), { kind: 'unrecognised', name: null });
  assert.deepEqual(parseSoftwareKey('unrecognised:<b>'), { kind: 'unrecognised', name: null }, 'a forged key is not trusted either');
  for (const name of HOSTILE) {
    const key = parseSoftwareKey(unrecognisedKey(name));
    assert.deepEqual(key, { kind: 'unrecognised', name: null });
  }
});
