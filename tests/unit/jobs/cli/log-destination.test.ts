import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { LogDestination } from '../../../../jobs/cli/log-destination.ts';

function sink(isTTY: boolean): { stream: Writable & { isTTY: boolean }; out: () => string } {
  let out = '';
  const stream = Object.assign(new Writable({ write(chunk, _enc, cb) { out += String(chunk); cb(); } }), { isTTY });
  return { stream, out: () => out };
}

test('piped (not a TTY): pino JSON lines pass through untouched', () => {
  const s = sink(false);
  const dest = new LogDestination(s.stream);
  assert.equal(dest.pretty, false);
  const logger = pino({ base: { app: 'chatlas' } }, dest);
  logger.info({ passId: 'p1' }, 'pass started');
  logger.debug('not at info');
  const lines = s.out().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.msg, 'pass started');
  assert.equal(lines[0]!.passId, 'p1');
  assert.equal(lines[0]!.level, 30);
});

test('piped: a status line is never touched (the log is not on the terminal)', () => {
  const s = sink(false);
  const dest = new LogDestination(s.stream);
  let calls = 0;
  dest.holdStatusLine({ clear: () => { calls++; }, redraw: () => { calls++; } });
  pino({}, dest).warn('x');
  assert.equal(calls, 0);
});

test('on a terminal: readable lines, printed between clearing and redrawing the status line', () => {
  const s = sink(true);
  const dest = new LogDestination(s.stream);
  assert.equal(dest.pretty, true);
  const logger = pino({ base: { app: 'chatlas' } }, dest);
  const release = dest.holdStatusLine({ clear: () => s.stream.write('[clear]'), redraw: () => s.stream.write('[bar]') });
  logger.info({ planned: 3 }, 'pass started');
  release();
  logger.warn('after the bar');
  const out = s.out();
  assert.doesNotMatch(out, /"level"/, 'no JSON on a terminal');
  assert.match(out, /^\[clear\]\d\d:\d\d:\d\d INFO {2}pass started planned=3\n\[bar\]\d\d:\d\d:\d\d WARN {2}after the bar\n$/);
});
