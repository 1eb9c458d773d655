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
    t = 99;
    assert.equal(await memo(scope, 'k', compute, opts), 1);
    t = 100;
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
  it('drops the oldest keys beyond the bound', async () => {
    const scope = {};
    let runs = 0;
    const compute = async () => ++runs;
    for (const k of ['a', 'b', 'c']) await memo(scope, k, compute, { maxEntries: 2 });
    await memo(scope, 'a', compute, { maxEntries: 2 });
    assert.equal(runs, 4, 'a was evicted and recomputed');
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
});
