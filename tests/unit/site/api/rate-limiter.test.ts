import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter, clientKey, rateLimitHeaders } from '../../../../site/lib/api/rate-limiter.ts';

test('a burst of `capacity` passes, the next request is refused with Retry-After', () => {
  const l = new RateLimiter({ capacity: 3, refillPerSecond: 0.5 });
  const t = 1_000_000;
  for (let i = 0; i < 3; i++) assert.equal(l.take('a', t).allowed, true);
  const d = l.take('a', t);
  assert.equal(d.allowed, false);
  assert.equal(d.remaining, 0);
  assert.equal(d.retryAfterSeconds, 2);
  assert.equal(d.resetSeconds, 6);
});

test('tokens come back with time, never above capacity', () => {
  const l = new RateLimiter({ capacity: 2, refillPerSecond: 1 });
  l.take('a', 0); l.take('a', 0);
  assert.equal(l.take('a', 0).allowed, false);
  assert.equal(l.take('a', 1000).allowed, true);
  const d = l.take('a', 1_000_000);
  assert.equal(d.remaining, 1);
});

test('clients have separate buckets', () => {
  const l = new RateLimiter({ capacity: 1, refillPerSecond: 1 });
  assert.equal(l.take('a', 0).allowed, true);
  assert.equal(l.take('a', 0).allowed, false);
  assert.equal(l.take('b', 0).allowed, true);
});

test('memory is bounded: the least recently used bucket is dropped', () => {
  const l = new RateLimiter({ capacity: 1, refillPerSecond: 0.001, maxKeys: 3 });
  l.take('a', 0); l.take('b', 0); l.take('c', 0);
  l.take('a', 0); // a is now the most recent
  l.take('d', 0); // drops b
  assert.equal(l.size, 3);
  assert.equal(l.take('b', 0).allowed, true, 'b was dropped and starts full');
  assert.equal(l.take('a', 0).allowed, false, 'a was kept');
  for (let i = 0; i < 10_000; i++) l.take(`k${i}`, 0);
  assert.equal(l.size, 3);
});

test('options are validated, quoting the bad value', () => {
  assert.throws(() => new RateLimiter({ capacity: 0 }), /capacity must be a positive number, got 0/);
  assert.throws(() => new RateLimiter({ refillPerSecond: Number.NaN }), /refillPerSecond/);
});

test('client keys: IPv4 as is, IPv6 grouped by /64, mapped IPv4 unwrapped', () => {
  assert.equal(clientKey('127.60.0.9'), '127.60.0.9');
  assert.equal(clientKey('2001:db8:1:2:aaaa::1'), clientKey('2001:db8:1:2:ffff::9'));
  assert.notEqual(clientKey('2001:db8:1:2::1'), clientKey('2001:db8:1:3::1'));
  assert.equal(clientKey('::ffff:127.60.0.9'), '127.60.0.9');
  assert.equal(clientKey(undefined), 'unknown');
  assert.equal(clientKey('not an ip'), 'unknown');
});

test('rate-limit headers, with Retry-After only when refused', () => {
  const l = new RateLimiter({ capacity: 1, refillPerSecond: 1 });
  const ok = new Headers();
  rateLimitHeaders(l.take('a', 0), ok);
  assert.equal(ok.get('ratelimit-limit'), '1');
  assert.equal(ok.get('retry-after'), null);
  const no = new Headers();
  rateLimitHeaders(l.take('a', 0), no);
  assert.equal(no.get('retry-after'), '1');
});
