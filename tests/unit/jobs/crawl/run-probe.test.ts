/**
 * The crawl loop's probe call (review finding 4): the backstop deadline goes
 * through withDeadline and aborts the probe's signal, so a probe that loses
 * the race stops with its sockets. Timers are node:test's mock timers: no
 * test here waits on the wall clock.
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeError } from '../../../../crawler/errors.ts';
import type { ProbeResult } from '../../../../crawler/types.ts';
import { failedProbeResult } from '../../../../jobs/crawl/failed-probe-result.ts';
import { runProbe, type ProbeFn } from '../../../../jobs/crawl/run-probe.ts';

const NOW = new Date(Date.UTC(2026, 0, 5, 12));
const PASS = '00000000-0000-4000-8000-000000000001';
const opts = { passId: PASS, now: NOW, deadlineMs: 150_000 };

test('a probe that overruns the deadline has its signal aborted and is recorded as net.timeout', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let signal: AbortSignal | undefined;
    let socketsClosed = false;
    const hangs: ProbeFn = (_d, _p, o) => {
      signal = o.signal;
      // What a real probe does: close its sockets when its signal aborts.
      o.signal.addEventListener('abort', () => { socketsClosed = true; });
      return new Promise<never>(() => {});
    };
    const run = runProbe(hangs, 'slow.test', 'matrix', opts);
    mock.timers.tick(149_999);
    assert.equal(signal?.aborted, false);
    mock.timers.tick(1);
    const { result, failure } = await run;
    assert.equal(signal?.aborted, true);
    assert.ok(socketsClosed, 'the probe that lost the race was told to stop');
    assert.ok(failure instanceof ProbeError && failure.code === 'net.timeout');
    assert.equal(result.snapshot.status, 'error');
    assert.equal(result.snapshot.failure, 'net.timeout');
    assert.equal(result.observations[0]?.outcome, 'net.timeout');
  } finally {
    mock.timers.reset();
  }
});

test('a probe that throws is recorded with its code; a plain Error as internal', async () => {
  const refused: ProbeFn = async () => { throw new ProbeError('net.connect-refused', 'connect ECONNREFUSED'); };
  const a = await runProbe(refused, 'down.test', 'xmpp', opts);
  assert.equal(a.failure?.code, 'net.connect-refused');
  assert.equal(a.result.snapshot.failure, 'net.connect-refused');
  const b = await runProbe(async () => { throw new Error('bug'); }, 'bug.test', 'xmpp', opts);
  assert.equal(b.failure?.code, 'internal');
  assert.equal(b.result.snapshot.domain, 'bug.test');
});

test('a result is filed under the loop\'s pass and server, whatever the probe wrote', async () => {
  const other: ProbeResult = failedProbeResult('00000000-0000-4000-8000-0000000000ff', 'elsewhere.test', 'xmpp', NOW, 1, new Error('x'));
  const ok: ProbeFn = async () => ({ ...other, snapshot: { ...other.snapshot, status: 'ok', error: '' } });
  const { result, failure } = await runProbe(ok, 'here.test', 'matrix', opts);
  assert.equal(failure, null);
  assert.deepEqual([result.snapshot.passId, result.snapshot.domain, result.snapshot.protocol, result.snapshot.status], [PASS, 'here.test', 'matrix', 'ok']);
});
