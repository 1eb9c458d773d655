import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashClient, hashSecret, newSecret, newToken, secretMatches } from '../../../registration/secrets.ts';

test('tokens and secrets are random and URL-safe', () => {
  assert.match(newToken(), /^[A-Za-z0-9_-]{32}$/);
  assert.notEqual(newToken(), newToken());
  assert.match(newSecret(), /^chatlas_[A-Za-z0-9_-]{43}$/);
});

test('only the secret matches its stored hash; an empty hash matches nothing', () => {
  const s = newSecret();
  const h = hashSecret(s);
  assert.equal(h.length, 64);
  assert.ok(secretMatches(s, h));
  assert.ok(!secretMatches(`${s}x`, h));
  assert.ok(!secretMatches('', ''));
});

test('client keys are salted hashes, not addresses', () => {
  assert.notEqual(hashClient('127.60.0.1', 'a'), hashClient('127.60.0.1', 'b'));
  assert.ok(!hashClient('127.60.0.1', 'a').includes('127'));
});
