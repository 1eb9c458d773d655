import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLogLine } from '../../../../jobs/cli/format-log-line.ts';

/** The local-time prefix formatLogLine writes for `ms`. */
const hhmmss = (ms: number) => {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
};
const T = Date.UTC(2026, 11, 7, 14, 3, 7);

test('a pino record becomes time, level, message and key=value fields', () => {
  const line = JSON.stringify({ level: 30, time: T, app: 'chatlas', msg: 'pass started', passId: 'p1', planned: 120, resumed: false });
  assert.equal(formatLogLine(line), `${hhmmss(T)} INFO  pass started passId=p1 planned=120 resumed=false`);
});

test('strings with spaces are quoted, objects are JSON, errors show their message', () => {
  const line = JSON.stringify({ level: 50, time: T, msg: 'network rollup failed', reason: 'store is down', byStatus: { ok: 2 }, err: { type: 'Error', message: 'connect ECONNREFUSED', stack: 'Error: connect ECONNREFUSED\n    at x' } });
  assert.equal(formatLogLine(line), `${hhmmss(T)} ERROR network rollup failed reason="store is down" byStatus={"ok":2} err="connect ECONNREFUSED"`);
});

test('control characters from the network never reach the terminal raw (C0, DEL, C1 CSI)', () => {
  const line = JSON.stringify({ level: 40, time: T, msg: 'seed refused \u001b[2J', text: 'evil\u001b]0;title\u0007.chat.eu\u009b31m\u007f' });
  const out = formatLogLine(line);
  assert.doesNotMatch(out, /[\u0000-\u001f\u007f-\u009f]/);
  assert.match(out, /seed refused \\u001b\[2J/);
  assert.match(out, /text="evil\\u001b]0;title\\u0007\.chat\.eu\\u009b31m\\u007f"/);
});

test('a line that is not a JSON object is kept, escaped', () => {
  assert.equal(formatLogLine('not json \u001b[31m'), 'not json \\u001b[31m');
  assert.equal(formatLogLine('[1,2]'), '[1,2]');
});
