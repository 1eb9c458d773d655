import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMigrations, renderMigration } from '../../../db/migrate.ts';
import { splitSql } from '../../../db/split-sql.ts';

test('splitSql: splits at top-level semicolons, drops comments, keeps quoted ; and --', () => {
  const sql = "-- head; comment\nCREATE TABLE a (x String DEFAULT 'a;b--c'); -- trailing\nSELECT `we;ird`;\n\n";
  assert.deepEqual(splitSql(sql), ["CREATE TABLE a (x String DEFAULT 'a;b--c')", 'SELECT `we;ird`']);
  assert.deepEqual(splitSql("SELECT 'it\\'s; fine'"), ["SELECT 'it\\'s; fine'"]);
});

test('migrations are numbered without gaps from 0001', () => {
  const ms = loadMigrations();
  assert.ok(ms.length >= 6);
  ms.forEach((m, i) => assert.equal(m.version, i + 1, `migration ${m.name} should be ${i + 1}`));
});

test('every statement is idempotent, so a half-applied migration can be run again', () => {
  for (const m of loadMigrations()) {
    for (const statement of splitSql(m.sql)) {
      const head = statement.replace(/\s+/g, ' ').slice(0, 80);
      if (/^CREATE /i.test(statement)) assert.match(statement, /^CREATE (MATERIALIZED VIEW|TABLE|DATABASE|VIEW) IF NOT EXISTS /i, `${m.name}: ${head}`);
      else if (/^ALTER /i.test(statement)) assert.match(statement, /\b(IF NOT EXISTS|IF EXISTS)\b/i, `${m.name}: ${head}`);
      // The data statements allowed: documented, idempotent backfills of a new table (0008 rooms_current,
      // 0018 server_first_seen_v1, whose min() makes a repeat harmless).
      else if (m.version === 8 && /^INSERT INTO rooms_current /i.test(statement)) continue;
      else if (m.version === 18 && /^INSERT INTO server_first_seen_v1 /i.test(statement)) continue;
      else if (/^(DROP|RENAME|TRUNCATE|INSERT|OPTIMIZE)/i.test(statement)) assert.fail(`${m.name}: destructive or data statement in a migration: ${head}`);
    }
  }
});

test('every table and view is created through the cluster placeholders', () => {
  for (const m of loadMigrations()) {
    for (const statement of splitSql(m.sql)) {
      if (!/^CREATE /i.test(statement)) continue;
      assert.match(statement, /\$\{ON_CLUSTER\}/, `${m.name}: ${statement.slice(0, 60)} lacks \${ON_CLUSTER}`);
      if (/^CREATE TABLE/i.test(statement) && /ENGINE\s*=/.test(statement)) {
        assert.match(statement, /ENGINE = \$\{REPLICATED\}\w*MergeTree/, `${m.name}: ${statement.slice(0, 60)} lacks \${REPLICATED}`);
      }
    }
  }
});

test('renderMigration: empty placeholders on one node, ON CLUSTER + Replicated with a cluster', () => {
  const sql = 'CREATE TABLE IF NOT EXISTS t ${ON_CLUSTER} (x UInt8) ENGINE = ${REPLICATED}MergeTree ORDER BY x';
  assert.equal(renderMigration(sql, undefined), 'CREATE TABLE IF NOT EXISTS t  (x UInt8) ENGINE = MergeTree ORDER BY x');
  assert.equal(renderMigration(sql, 'main'), 'CREATE TABLE IF NOT EXISTS t ON CLUSTER main (x UInt8) ENGINE = ReplicatedMergeTree ORDER BY x');
});
