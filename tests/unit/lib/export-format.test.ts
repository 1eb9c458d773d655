import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, csvLine, exportStream, ndjsonLine } from '../../../lib/export-format.ts';

test('cells a spreadsheet would run as formulas get a leading apostrophe (OWASP CSV injection)', () => {
  for (const bad of ['=1+1', '+1', '-1+2', '@SUM(A1)', '\tx', '\rx']) assert.ok(csvCell(bad).replace(/^"/, '').startsWith("'"), bad);
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell(-5), '-5', 'numbers stay numbers');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(true), 'true');
});

test('quotes, commas and newlines are quoted per RFC 4180', () => {
  assert.equal(csvCell('a "b", c'), '"a ""b"", c"');
  assert.equal(csvCell('line\nbreak'), '"line\nbreak"');
  assert.equal(csvCell(' padded '), '" padded "');
  assert.equal(csvLine(['a', 1, null]), 'a,1,\r\n');
});

test('NDJSON lines are one JSON value each, line separators escaped', () => {
  const line = ndjsonLine({ a: 'x\u2028y\nz' });
  assert.equal(line.split('\n').length, 2);
  assert.ok(!line.includes('\u2028'));
  assert.deepEqual(JSON.parse(line), { a: 'x\u2028y\nz' });
});

async function* rows(n: number) {
  for (let i = 0; i < n; i++) yield { id: i, name: i === 1 ? '=cmd' : `r${i}` };
}

test('the export stream writes the header, every row, and stops pulling when cancelled', async () => {
  const text = await new Response(exportStream(rows(600), 'csv', ['id', 'name'])).text();
  const lines = text.split('\r\n');
  assert.equal(lines[0], 'id,name');
  assert.equal(lines[2], "1,'=cmd");
  assert.equal(lines.length, 602);
  let pulled = 0;
  async function* counting() { for (let i = 0; ; i++) { pulled++; yield { id: i }; } }
  const reader = exportStream(counting(), 'ndjson', ['id']).getReader();
  await reader.read();
  await reader.cancel();
  const after = pulled;
  // A pull after cancel would run from a queued microtask or the next turn: give it a few turns.
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  assert.equal(pulled, after, 'no rows pulled after cancel');
  assert.ok(after <= 512, 'pulled only what was read (back-pressure)');
});
