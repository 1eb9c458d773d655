/**
 * `chatlas keys show|rotate` as a person runs it (a child process on its own
 * embedded store), and a serving process picking a rotation up within a
 * minute: the federation endpoint of `chatlas serve` on a store where the
 * rotation is written, with a fake clock instead of a minute's wait.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadCrawlConfig } from '../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../crawler/net/context.ts';
import { parseServerKeysResponse } from '../../../crawler/protocol/matrix-server-keys.ts';
import { ProbeError } from '../../../crawler/errors.ts';
import { loadFederationConfig } from '../../../federation/config.ts';
import { createFederationEndpoint } from '../../../jobs/serve/federation-endpoint.ts';
import { rotateKeys, type KeysJson } from '../../../jobs/commands/keys.ts';
import { startDnsServer, type DnsServer } from '../../../sim/dns-server.ts';
import { openTestStore, type TestStore } from '../../harness/store.ts';

const CLI = new URL('../../../jobs/cli.ts', import.meta.url).pathname;
const NAME = 'chatlas-keys.test';
const root = mkdtempSync(join(tmpdir(), 'chatlas-keys-'));
const data = join(root, 'data');

const run = (args: string[], env: Record<string, string> = { CHATLAS_MATRIX_SERVER_NAME: NAME }) =>
  spawnSync(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, CHATLAS_DATA: data, ...env }, encoding: 'utf8', timeout: 60_000 });
const show = (): KeysJson => {
  const r = run(['keys', 'show', '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as KeysJson;
};

let store: TestStore;
let dns: DnsServer;
let net: NetContext;
let server: Server;
let base = '';

before(async () => {
  store = await openTestStore();
  // The endpoint's remote-key fetcher needs a network layer; nothing here makes it dial.
  dns = await startDnsServer({ host: '127.9.11.53' });
  net = createNetContext(loadCrawlConfig({ env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16' } }));
});

after(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await net?.close();
  await dns?.close();
  await store?.cleanup();
  rmSync(root, { recursive: true, force: true });
});

test('keys without CHATLAS_MATRIX_SERVER_NAME: exit 2 and one line naming the variable', () => {
  for (const action of ['show', 'rotate']) {
    const r = run(['keys', action], {});
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /CHATLAS_MATRIX_SERVER_NAME/);
  }
  const bad = run(['keys', 'show'], { CHATLAS_MATRIX_SERVER_NAME: 'not a name' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /not a name/);
  const unknown = run(['keys', 'forget']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /show, rotate/);
});

test('keys show on a fresh store creates nothing and says how a key comes to be', () => {
  const r = run(['keys', 'show']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`server name: +${NAME.replace('.', '\\.')}`));
  assert.match(r.stdout, /none yet/);
  assert.deepEqual(show(), { server_name: NAME, current: null, old: [] });
});

test('keys rotate creates the first key, then retires it: old keys keep their public key with expired_ts', () => {
  const first = run(['keys', 'rotate']);
  assert.equal(first.status, 0, first.stderr);
  const one = show();
  assert.ok(one.current, 'a key after the first rotate');
  assert.match(first.stdout, new RegExp(`created the first key ${one.current.key_id}`));
  assert.deepEqual(one.old, []);
  const second = run(['keys', 'rotate']);
  assert.equal(second.status, 0, second.stderr);
  const two = show();
  assert.ok(two.current);
  assert.notEqual(two.current.key_id, one.current.key_id);
  assert.equal(two.old.length, 1);
  assert.equal(two.old[0]!.key_id, one.current.key_id);
  assert.equal(two.old[0]!.public_key, one.current.public_key);
  assert.ok(two.old[0]!.expired_ts >= one.current.created_ts);
  assert.match(second.stdout, new RegExp(`rotated: ${two.current.key_id} is now current; ${one.current.key_id} is retired`));
  // The human form: the current key, its public key and the old key's expired_ts; never the secret.
  const text = run(['keys', 'show']).stdout;
  assert.match(text, new RegExp(`current key: +${two.current.key_id}`));
  assert.match(text, new RegExp(`public key: +${two.current.public_key.replace(/[+/]/g, '\\$&')}`));
  assert.match(text, new RegExp(`${one.current.key_id}  \\S+  expired_ts ${two.old[0]!.expired_ts} `));
  assert.doesNotMatch(text + second.stdout, /seed/i);
});

test('a serving process publishes a rotation at its next read of the store, within a minute, without a restart', async () => {
  // The serving process's clock, moved by the test (the store's rows carry real times).
  let t = Date.now();
  const clock = { now: () => t, advance: (ms: number) => { t += ms; } };
  const endpoint = await createFederationEndpoint({
    db: store.db, net, config: loadFederationConfig({ env: { CHATLAS_MATRIX_SERVER_NAME: NAME } }), normalise: {}, version: '0.0.0-test',
    logger: pino({ level: 'silent' }), now: clock.now,
  });
  assert.ok(endpoint);
  server = createServer((req, res) => {
    endpoint.handler(req, res).then((handled) => { if (!handled) res.writeHead(404).end(); }, () => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.9.11.1', resolve));
  base = `http://127.9.11.1:${(server.address() as AddressInfo).port}`;
  const published = async () => {
    const res = await fetch(`${base}/_matrix/key/v2/server`);
    assert.equal(res.status, 200);
    const keys = parseServerKeysResponse(await res.text(), NAME);
    assert.ok(!(keys instanceof ProbeError), String(keys));
    return keys;
  };
  const before = await published();
  assert.deepEqual(Object.keys(before.verifyKeys), [endpoint.identity.current.keyId]);

  // What `chatlas keys rotate` does, on the store this process serves.
  const { after: rotated } = await rotateKeys(store.db, NAME, new Date(clock.now()));
  assert.notEqual(rotated.current.keyId, endpoint.identity.current.keyId);

  clock.advance(59_000);
  assert.deepEqual(Object.keys((await published()).verifyKeys), [endpoint.identity.current.keyId], 'not read again before the minute is over');
  clock.advance(1_000);
  const after = await published();
  assert.deepEqual(Object.keys(after.verifyKeys), [rotated.current.keyId]);
  assert.deepEqual(after.signedBy, [rotated.current.keyId], 'signed by the new key');
  const old = after.oldVerifyKeys[endpoint.identity.current.keyId];
  assert.ok(old, 'the retired key stays published');
  assert.equal(old.publicKey, endpoint.identity.current.publicKey);
  assert.equal(old.expiredTs, clock.now() - 60_000);
});
