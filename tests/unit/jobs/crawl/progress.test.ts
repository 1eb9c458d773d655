import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createProgress, etaSeconds, formatOutcomes } from '../../../../jobs/crawl/progress.ts';

test('formatOutcomes lists outcomes most frequent first', () => {
  assert.equal(formatOutcomes({ ok: 3, error: 1, unreachable: 7 }), 'unreachable 7 · ok 3 · error 1');
  assert.equal(formatOutcomes({}), '-');
});

test('etaSeconds extrapolates the rate so far', () => {
  assert.equal(etaSeconds(0, 100, 1000), null);
  assert.equal(etaSeconds(25, 100, 10_000), 30);
  assert.equal(etaSeconds(100, 100, 10_000), 0);
});

test('without a terminal, progress is JSON lines with counts by outcome, rate and ETA', () => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  let t = 0;
  const p = createProgress({ tty: false, logger: pino({}, sink), intervalMs: 1000, now: () => t });
  p.passStarted!({ passId: 'p1', resumed: false, shard: '', planned: 4, alreadyDone: 0 });
  t = 500;
  p.probeFinished!({ protocol: 'xmpp', domain: 'a.chat.eu', status: 'ok', durationMs: 1 });
  t = 2000;
  p.probeFinished!({ protocol: 'xmpp', domain: 'b.chat.eu', status: 'error', durationMs: 1 });
  p.passFinished!({ passId: 'p1', state: 'done', probed: 2, durationMs: 2000, finishedAt: new Date(2000) });
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(parsed.map((l) => l.msg), ['pass started', 'crawl progress', 'crawl progress', 'pass finished']);
  assert.deepEqual(parsed[1]!.byStatus, { ok: 1, error: 1 });
  assert.equal(parsed[1]!.done, 2);
  assert.equal(parsed[1]!.rate, 1);
  assert.equal(parsed[1]!.etaSeconds, 2);
});

test('in a terminal, the bar shows counts by outcome and never a crawled name', () => {
  let out = '';
  const stream = Object.assign(new Writable({ write(chunk, _enc, cb) { out += String(chunk); cb(); } }), {
    isTTY: true, columns: 200, cursorTo: () => true, clearLine: () => true, moveCursor: () => true,
  }) as unknown as NodeJS.WriteStream;
  const p = createProgress({ stream, tty: true });
  p.passStarted!({ passId: 'p1', resumed: false, shard: '', planned: 2, alreadyDone: 0 });
  p.probeFinished!({ protocol: 'xmpp', domain: 'evil\u001b[2J.chat.eu', status: 'ok', durationMs: 1 });
  p.probeFinished!({ protocol: 'xmpp', domain: 'b.chat.eu', status: 'unreachable', durationMs: 1 });
  p.passFinished!({ passId: 'p1', state: 'done', probed: 2, durationMs: 1, finishedAt: new Date() });
  assert.match(out, /2\/2 servers/);
  assert.match(out, /ok 1 · unreachable 1|unreachable 1 · ok 1/);
  assert.doesNotMatch(out, /chat\.eu/);
});
