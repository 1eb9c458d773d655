import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReportItems } from '../../../crawler/types.ts';
import { MAX_REPORT_ITEMS as ITEMS, MAX_REPORT_TEXT as TEXT } from '../../../crawler/report-item.ts';

test('stored items keep only well-formed entries (never the whole report dropped for one bad item)', () => {
  assert.deepEqual(parseReportItems([
    { step: 'dns.srv', level: 'warn', message: 'no SRV record', fix: 'add one' },
    { step: 'x', level: 'evil', message: 'bad level' },
    { step: 'x', level: 'warning', title: 'a shape the crawler never wrote' },
    null, 'text', { step: 1, level: 'ok', message: 'bad step' },
    { step: 'tls', level: 'ok', message: 'fine', fix: 42 },
    { step: 'tls', level: 'info', message: 'empty fix', fix: '' },
  ]), [
    { step: 'dns.srv', level: 'warn', message: 'no SRV record', fix: 'add one' },
    { step: 'tls', level: 'ok', message: 'fine' },
    { step: 'tls', level: 'info', message: 'empty fix' },
  ]);
});

test('JSON text is parsed; a report cut at the store\'s byte cap, or not an array, is empty', () => {
  assert.deepEqual(parseReportItems('[{"step":"a","level":"error","message":"m","fix":"f"}]'), [{ step: 'a', level: 'error', message: 'm', fix: 'f' }]);
  assert.deepEqual(parseReportItems('[{"step":"a","level":"err'), []);
  assert.deepEqual(parseReportItems('{"step":"a"}'), []);
  assert.deepEqual(parseReportItems(null), []);
});

test('counts and lengths are capped', () => {
  const many = Array.from({ length: ITEMS + 5 }, (_, i) => ({ step: `s${i}`, level: 'info', message: 'x'.repeat(TEXT + 10) }));
  const parsed = parseReportItems(many);
  assert.equal(parsed.length, ITEMS);
  assert.equal(parsed[0]!.message.length, TEXT);
});
