import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyProves, challengeInstructions, txtProves } from '../../../registration/challenge.ts';

test('the TXT record must be exactly chatlas-verify=<token>', () => {
  assert.ok(txtProves(['v=spf1 -all', ' chatlas-verify=abc '], 'abc'));
  assert.ok(!txtProves(['chatlas-verify=abcd'], 'abc'));
  assert.ok(!txtProves(['chatlas-verify=abc'], ''));
  assert.ok(!txtProves([], 'abc'));
});

test('the well-known body must hold the token on a line of its own', () => {
  assert.ok(bodyProves('abc\n', 'abc'));
  assert.ok(bodyProves('# chatlas\r\nchatlas-verify=abc\r\n', 'abc'));
  assert.ok(!bodyProves('<p>you asked for abc</p>', 'abc'), 'an echo page is no proof');
  assert.ok(!bodyProves('', 'abc'));
});

test('instructions name the record and the URL', () => {
  const i = challengeInstructions('chat.example.org', 'tok', new Date('2026-01-01T00:00:00Z'));
  assert.deepEqual(i.dnsTxt, { name: '_chatlas-verify.chat.example.org', value: 'chatlas-verify=tok' });
  assert.equal(i.wellKnown.url, 'https://chat.example.org/.well-known/chatlas-verify.txt');
  assert.equal(i.deadline, '2026-01-01T00:00:00.000Z');
});
