import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { memo } from '../../../site/lib/memo.ts';

describe('memo', () => {
  it('shares one computation between concurrent callers and reuses it within the TTL', async () => {
    const scope = {};
    let t = 0;
    let runs = 0;
    const compute = async () => ++runs;
    const opts = { ttlMs: 100, now: () => t };
    const [a, b] = await Promise.all([memo(scope, 'k', compute, opts), memo(scope, 'k', compute, opts)]);
    assert.deepEqual([a, b, runs], [1, 1, 1]);
    // lru-cache's boundary: fresh while the age is at most the TTL, recomputed 1 ms later.
    t = 100;
    assert.equal(await memo(scope, 'k', compute, opts), 1);
    t = 101;
    assert.equal(await memo(scope, 'k', compute, opts), 2);
  });
  it('keeps stores and keys apart', async () => {
    const s1 = {};
    const s2 = {};
    assert.equal(await memo(s1, 'k', async () => 'one'), 'one');
    assert.equal(await memo(s2, 'k', async () => 'two'), 'two');
    assert.equal(await memo(s1, 'other', async () => 'three'), 'three');
  });
  it('never caches a failure', async () => {
    const scope = {};
    await assert.rejects(memo(scope, 'k', async () => { throw new Error('store down'); }));
    assert.equal(await memo(scope, 'k', async () => 'recovered'), 'recovered');
  });
  it('drops the least recently used keys beyond the bound', async () => {
    const scope = {};
    let runs = 0;
    const compute = async () => ++runs;
    for (const k of ['a', 'b', 'c']) await memo(scope, k, compute, { maxEntries: 2 });
    await memo(scope, 'a', compute, { maxEntries: 2 });
    assert.equal(runs, 4, 'a was evicted and recomputed');
    // A hit counts as use: reading c (stored before a) makes a the one to go.
    await memo(scope, 'c', compute, { maxEntries: 2 });
    await memo(scope, 'd', compute, { maxEntries: 2 });
    await memo(scope, 'c', compute, { maxEntries: 2 });
    assert.equal(runs, 5, 'c kept');
    await memo(scope, 'a', compute, { maxEntries: 2 });
    assert.equal(runs, 6, 'a, the least recently used, was dropped');
  });
  it('serves a stale value at once while one background computation refreshes it', async () => {
    const scope = {};
    let t = 0;
    let runs = 0;
    let release: () => void = () => {};
    const compute = async () => {
      runs++;
      if (runs === 2) await new Promise<void>((r) => { release = r; });
      return runs;
    };
    const opts = { ttlMs: 100, staleMs: 1000, now: () => t };
    assert.equal(await memo(scope, 'k', compute, opts), 1);
    t = 150;
    assert.equal(await memo(scope, 'k', compute, opts), 1, 'stale value, no wait');
    assert.equal(await memo(scope, 'k', compute, opts), 1, 'still stale while refreshing');
    assert.equal(runs, 2, 'one refresh only');
    release();
    await new Promise((r) => setImmediate(r));
    assert.equal(await memo(scope, 'k', compute, opts), 2, 'refreshed value');
    t = 5000;
    assert.equal(await memo(scope, 'k', compute, opts), 3, 'past the stale window: recomputed before answering');
  });
  it('keeps the stale value when a refresh fails, and tries again on the next call in the window', async () => {
    const scope = {};
    let t = 0;
    let runs = 0;
    const compute = async () => {
      runs++;
      if (runs === 2) throw new Error('store down');
      return runs;
    };
    const opts = { ttlMs: 100, staleMs: 1000, now: () => t };
    assert.equal(await memo(scope, 'k', compute, opts), 1);
    t = 200;
    assert.equal(await memo(scope, 'k', compute, opts), 1, 'stale value; the refresh fails in the background');
    await new Promise((r) => setImmediate(r));
    assert.equal(await memo(scope, 'k', compute, opts), 1, 'still the stale value, and a second refresh');
    await new Promise((r) => setImmediate(r));
    assert.equal(runs, 3);
    assert.equal(await memo(scope, 'k', compute, opts), 3, 'the second refresh succeeded');
  });
  it('refuses options lru-cache would misread, quoting the value', async () => {
    await assert.rejects(memo({}, 'k', async () => 1, { ttlMs: 0 }), /ttlMs .* got 0/);
    await assert.rejects(memo({}, 'k', async () => 1, { maxEntries: 0 }), /maxEntries .* got 0/);
    await assert.rejects(memo({}, 'k', async () => 1, { staleMs: -1 }), /staleMs .* got -1/);
  });
});
