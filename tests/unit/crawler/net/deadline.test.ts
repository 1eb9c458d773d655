import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { deadlineSignal, withDeadline, sleep } from '../../../../crawler/net/deadline.ts';
import { ProbeError } from '../../../../crawler/errors.ts';

test('resolves with the work value', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    assert.equal(await withDeadline(Promise.resolve(42), 1000, 'http.timeout'), 42);
  } finally {
    mock.timers.reset();
  }
});

test('rejects with ProbeError(code) when the deadline passes, and aborts the work signal', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let seen: AbortSignal | undefined;
    const p = withDeadline((signal) => {
      seen = signal;
      return new Promise<never>(() => {});
    }, 500, 'dns.timeout');
    mock.timers.tick(499);
    assert.equal(seen?.aborted, false);
    mock.timers.tick(1);
    await assert.rejects(p, (e: unknown) => e instanceof ProbeError && e.code === 'dns.timeout' && e.retryable);
    assert.equal(seen?.aborted, true);
  } finally {
    mock.timers.reset();
  }
});

test('passes the work rejection through unchanged', async () => {
  const boom = new ProbeError('http.too-large', 'too big');
  await assert.rejects(withDeadline(Promise.reject(boom), 1000, 'http.timeout'), (e) => e === boom);
});

test('a synchronous throw in the work function becomes a rejection', async () => {
  await assert.rejects(withDeadline(() => { throw new Error('sync'); }, 1000, 'http.timeout'), /sync/);
});

test('a parent abort rejects at once with the parent ProbeError', async () => {
  const parent = new AbortController();
  const p = withDeadline(new Promise<never>(() => {}), 60_000, 'http.timeout', parent.signal);
  parent.abort(new ProbeError('xmpp.timeout', 'whole probe'));
  await assert.rejects(p, (e: unknown) => e instanceof ProbeError && e.code === 'xmpp.timeout');
});

test('an already-aborted parent rejects without running the work', async () => {
  let ran = false;
  await assert.rejects(
    withDeadline(() => { ran = true; return 1; }, 1000, 'net.timeout', AbortSignal.abort('gone')),
    (e: unknown) => e instanceof ProbeError && e.code === 'net.timeout',
  );
  assert.equal(ran, false);
});

test('a non-ProbeError parent reason is wrapped with the given code', async () => {
  const parent = new AbortController();
  const p = withDeadline(new Promise<never>(() => {}), 60_000, 'tls.timeout', parent.signal);
  parent.abort(new Error('shutdown'));
  await assert.rejects(p, (e: unknown) => e instanceof ProbeError && e.code === 'tls.timeout' && /shutdown/.test(e.message));
});

test('rejects a negative or NaN deadline, quoting it', () => {
  assert.throws(() => withDeadline(Promise.resolve(1), -1, 'net.timeout'), /-1/);
  assert.throws(() => withDeadline(Promise.resolve(1), Number.NaN, 'net.timeout'), /null|NaN/);
});

test('sleep rejects when aborted', async () => {
  const c = new AbortController();
  const p = sleep(60_000, c.signal);
  c.abort(new ProbeError('policy.rate-limited', 'stop'));
  await assert.rejects(p, (e: unknown) => e instanceof ProbeError && e.code === 'policy.rate-limited');
});

test('deadlineSignal aborts nested waits with its own code', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const probe = deadlineSignal(1000, 'net.timeout');
    const inner = withDeadline(new Promise<never>(() => {}), 60_000, 'http.timeout', probe.signal);
    mock.timers.tick(1000);
    await assert.rejects(inner, (e: unknown) => e instanceof ProbeError && e.code === 'net.timeout');
    probe.clear();
  } finally {
    mock.timers.reset();
  }
});

test('deadlineSignal follows its parent and stops after clear()', () => {
  const parent = new AbortController();
  const d = deadlineSignal(60_000, 'xmpp.timeout', parent.signal);
  parent.abort(new Error('shutdown'));
  assert.equal(d.signal.aborted, true);
  assert.ok(d.signal.reason instanceof ProbeError && d.signal.reason.code === 'xmpp.timeout');
  d.clear();
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const cleared = deadlineSignal(10, 'net.timeout');
    cleared.clear();
    mock.timers.tick(100);
    assert.equal(cleared.signal.aborted, false);
  } finally {
    mock.timers.reset();
  }
});
