/** Room opt-out markers (crawler/protocol/room-opt-out.ts), MRS's cases included. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHATLAS_NOINDEX_MARKER, hasNoindexMarker, MAX_MARKER_SCAN, MRS_NOINDEX_MARKER } from '../../../../crawler/protocol/room-opt-out.ts';

test('MRS noindex as etkecc/mrs roomconfig_test.go writes it: true, yes and 1, anywhere in the topic', () => {
  for (const topic of [
    MRS_NOINDEX_MARKER,
    '(MRS-noindex:true-MRS) Room for admins',
    'My Topic (MRS-noindex:yes-MRS)',
    'Foo (MRS-noindex:1-MRS)',
    '   (MRS-noindex:yes-MRS)   ',
    // The markdown-link form MRS documents, to hide the string in clients (MSC3765).
    'Rust chat [.](MRS-noindex:true-MRS)',
    // One string for every option.
    'Here (MRS-language:EN|email:abc@b.co|noindex:true-MRS)',
    '(MRS-language: en | noindex:  TRUE  -MRS) rest',
  ]) assert.equal(hasNoindexMarker(topic), true, topic);
});

test('MRS strings that do not opt out', () => {
  for (const topic of [
    '',
    'General chat for everyone',
    'Welcome (MRS-language:EN|email:test@example.com-MRS)',
    'abc(MRS-noindex:false-MRS)',
    'abc(MRS-noindex:no-MRS)',
    // No end tag: MRS reads no configuration at all.
    'abc (MRS-noindex:true)',
    'noindex:true',
    '(MRS--MRS) hey',
  ]) assert.equal(hasNoindexMarker(topic), false, topic);
});

test('stricter than MRS where that withholds: any of several strings, tags in any case', () => {
  // MRS reads only the first string; a room that says noindex in a later one is withheld here too.
  assert.equal(hasNoindexMarker('A (MRS-language:EN-MRS) B (MRS-noindex:true-MRS) C'), true);
  assert.equal(hasNoindexMarker('(mrs-noindex:true-mrs)'), true);
  assert.equal(hasNoindexMarker('(MRS-a:b (MRS-noindex:true-MRS)'), true);
});

test('the Chatlas marker, in any case, on its own or among text', () => {
  assert.equal(hasNoindexMarker(CHATLAS_NOINDEX_MARKER), true);
  assert.equal(hasNoindexMarker('Private-ish club (Chatlas-NoIndex)'), true);
  assert.equal(hasNoindexMarker('chatlas-noindex'), false, 'the parentheses are part of the marker');
});

test('a marker past the scan bound is not searched for (hostile lengths stay cheap)', () => {
  const pad = 'x'.repeat(MAX_MARKER_SCAN);
  assert.equal(hasNoindexMarker(`${pad}${MRS_NOINDEX_MARKER}`), false);
  assert.equal(hasNoindexMarker(`${pad.slice(100)}${MRS_NOINDEX_MARKER}`), true);
  // Many unterminated start tags: linear, not quadratic.
  assert.equal(hasNoindexMarker('(MRS-'.repeat(13_000)), false);
});

test('case mapping that changes length (İ) cannot misplace the search', () => {
  assert.equal(hasNoindexMarker(`${'İ'.repeat(50)} (MRS-noindex:true-MRS)`), true);
  assert.equal(hasNoindexMarker(`${'İ'.repeat(50)} (MRS-language:TR-MRS)`), false);
});

test('many start tags before one end tag: each character read once', () => {
  const hostile = `${'(MRS-'.repeat(13_000)}-MRS)`;
  assert.equal(hasNoindexMarker(hostile), false);
  assert.equal(hasNoindexMarker(`${'(MRS-'.repeat(13_000)}noindex:1-MRS)`), true);
});
