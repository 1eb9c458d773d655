import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createProgress, etaSeconds, formatOutcomes } from '../../../../jobs/crawl/progress.ts';
import { LogDestination } from '../../../../jobs/cli/log-destination.ts';

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

test('in a terminal, log lines print above the bar as readable text, never inside it', () => {
  let out = '';
  const stream = Object.assign(new Writable({ write(chunk, _enc, cb) { out += String(chunk); cb(); } }), { isTTY: true, columns: 200 }) as unknown as NodeJS.WriteStream;
  // As in `chatlas crawl` on a terminal: stdout (the bar) and stderr (the log) are one screen.
  const logOutput = new LogDestination(stream);
  const logger = pino({ base: { app: 'chatlas' } }, logOutput);
  const p = createProgress({ stream, tty: true, logger, logOutput });
  p.passStarted!({ passId: 'p1', resumed: false, shard: '', planned: 2, alreadyDone: 0 });
  p.probeFinished!({ protocol: 'xmpp', domain: 'a.chat.eu', status: 'ok', durationMs: 1 });
  const before = out.length;
  logger.warn({ file: 'seeds.txt', line: 3 }, 'seed refused');
  const around = out.slice(before);
  p.passFinished!({ passId: 'p1', state: 'done', probed: 1, durationMs: 1, finishedAt: new Date() });
  logger.info('after the pass');

  assert.doesNotMatch(out, /"level"|\{"/, 'no JSON on a terminal');
  // The bar's row is erased, the line printed from column 0 with its newline, then the bar drawn again.
  assert.match(around, /^\r\u001b\[2K\d\d:\d\d:\d\d WARN {2}seed refused file=seeds\.txt line=3\n/);
  assert.match(around.slice(around.indexOf('\n') + 1), /crawl .*1\/2 servers/);
  // No saved-cursor restore (ESC 8) at the end: it would jump back over the lines printed above the bar.
  assert.doesNotMatch(out, /\u001b[78]/);
  // Once the pass is over the bar is released: a later line is not wrapped in erase/redraw.
  assert.match(out, /\n\d\d:\d\d:\d\d INFO {2}after the pass\n$/);
});

test('without a terminal, the bar is not used and the log destination stays JSON', () => {
  const lines: string[] = [];
  const stream = Object.assign(new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } }), { isTTY: false }) as unknown as NodeJS.WriteStream;
  const logOutput = new LogDestination(stream);
  const p = createProgress({ stream, logger: pino({}, logOutput), logOutput, intervalMs: 1000, now: () => 0 });
  p.passStarted!({ passId: 'p1', resumed: false, shard: '', planned: 1, alreadyDone: 0 });
  p.probeFinished!({ protocol: 'matrix', domain: 'a.chat.eu', status: 'ok', durationMs: 1 });
  p.passFinished!({ passId: 'p1', state: 'done', probed: 1, durationMs: 1, finishedAt: new Date(0) });
  p.stop();
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { msg: string }).msg), ['pass started', 'crawl progress', 'pass finished']);
});
