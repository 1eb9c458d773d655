import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ConfigError, describeConfig, resolveConfig } from '../../../lib/config-table.ts';
import { loadDbConfig } from '../../../db/config.ts';

const table = {
  port: { env: 'PORT', flag: 'port', schema: z.coerce.number().int().min(1).max(65535), default: 8080, doc: 'Port.' },
  secret: { env: 'SECRET', schema: z.string().min(8), default: '', doc: 'A secret.', secret: true },
};

test('flag wins over environment, environment over default', () => {
  assert.equal(resolveConfig(table, {}).port, 8080);
  assert.equal(resolveConfig(table, { env: { PORT: '9000' } }).port, 9000);
  assert.equal(resolveConfig(table, { env: { PORT: '9000' }, flags: { port: '9100' } }).port, 9100);
});

test('an empty environment variable counts as unset', () => {
  assert.equal(resolveConfig(table, { env: { PORT: '' } }).port, 8080);
});

test('a bad value is quoted with its source', () => {
  assert.throws(() => resolveConfig(table, { env: { PORT: 'eighty' } }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.source, 'PORT');
    assert.match(e.message, /^PORT="eighty" is not valid/);
    return true;
  });
  assert.throws(() => resolveConfig(table, { flags: { port: '70000' } }), /--port="70000" is not valid/);
});

test('a secret value is never echoed', () => {
  assert.throws(() => resolveConfig(table, { env: { SECRET: 'short' } }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.doesNotMatch(e.message, /short/);
    assert.match(e.message, /\(hidden\)/);
    return true;
  });
  assert.deepEqual(describeConfig(table).find((r) => r.key === 'secret')?.default, '');
});

test('db config: CLICKHOUSE_URL must be http(s), database an identifier, cluster needs a server', () => {
  assert.equal(loadDbConfig({ env: {} }).url, undefined);
  assert.equal(loadDbConfig({ env: {} }).dataDir, './data');
  assert.equal(loadDbConfig({ env: { CHATLAS_DATA: '/srv/chatlas' } }).dataDir, '/srv/chatlas');
  assert.throws(() => loadDbConfig({ env: { CLICKHOUSE_URL: 'tcp://x:9000' } }), /CLICKHOUSE_URL="tcp:\/\/x:9000" is not valid/);
  assert.throws(() => loadDbConfig({ env: { CLICKHOUSE_DATABASE: 'drop table;' } }), /CLICKHOUSE_DATABASE="drop table;"/);
  assert.throws(() => loadDbConfig({ env: { CLICKHOUSE_CLUSTER: 'main' } }), /needs CLICKHOUSE_URL/);
  assert.equal(loadDbConfig({ env: { CLICKHOUSE_URL: 'http://127.0.0.1:8123', CLICKHOUSE_CLUSTER: 'main' } }).cluster, 'main');
});
