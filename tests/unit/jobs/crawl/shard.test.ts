import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseShard, shardOf, inShard, formatShard } from '../../../../jobs/crawl/shard.ts';

const names = Array.from({ length: 10_000 }, (_, i) => `server-${i}.chat${i % 97}.eu`);

test('for n = 1..8 every domain is in exactly one shard, and shards are balanced', () => {
  for (let n = 1; n <= 8; n++) {
    const counts = new Array<number>(n).fill(0);
    for (const d of names) {
      const owners = [];
      for (let i = 1; i <= n; i++) if (inShard(d, { index: i, count: n })) owners.push(i);
      assert.equal(owners.length, 1, `${d} with n=${n} owned by ${owners.join(',')}`);
      counts[owners[0]! - 1]!++;
    }
    assert.equal(counts.reduce((a, b) => a + b, 0), names.length);
    // ±15% of the fair share: a hash that piles domains on one worker fails here.
    for (const c of counts) assert.ok(Math.abs(c - names.length / n) < 0.15 * (names.length / n), `n=${n}: ${counts.join(',')}`);
  }
});

test('the split is stable: same domain, same shard', () => {
  assert.equal(shardOf('matrix.org', 4), shardOf('matrix.org', 4));
  // pinned values: a changed hash would silently re-split running deployments
  // (sha1 of the name, first 48 bits, mod n, plus one), computed once when the hash was chosen.
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => shardOf('matrix.org', n)), [1, 1, 3, 3, 5, 3, 1, 7]);
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => shardOf('jabber.org', n)), [1, 2, 2, 4, 2, 2, 4, 4]);
});

test('parseShard accepts i/n and refuses the rest quoting the value', () => {
  assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
  assert.deepEqual(parseShard(' 1 / 1 '), { index: 1, count: 1 });
  for (const bad of ['0/4', '5/4', '1/0', 'a/b', '1', '-1/2', '1/2000']) {
    assert.throws(() => parseShard(bad), new RegExp(`--shard ${JSON.stringify(bad).replace(/[/]/g, '\\/')} is not valid`));
  }
  assert.equal(formatShard({ index: 1, count: 1 }), '');
  assert.equal(formatShard({ index: 3, count: 8 }), '3/8');
});
