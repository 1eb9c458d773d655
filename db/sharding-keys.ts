/**
 * Sharding key of every table the migrations create, for the `Distributed`
 * tables of cluster mode (`chatlas migrate --cluster NAME`, db/cluster-ddl.ts).
 *
 * The rule: all rows of one server land on one shard. The per-server rollups
 * (argMax states in server_daily_v1), the FINAL reads of servers_latest and
 * rooms_current, rooms_current's tombstones (written with the listing
 * server's name), and the JOINs and IN subqueries on the domain
 * (visibility-sql.ts, run shard-locally under distributed_product_mode =
 * 'local') are only right when a server's rows share a shard. So the key is
 * `cityHash64(<the table's server column>)`: `domain` in most tables,
 * `server` (the listing server) in the room tables.
 *
 * Tables without a server column get a key of their own, said below. A key
 * only routes INSERTs made through the Distributed table; rows written by a
 * materialized view stay on the shard of the row that fed the view.
 *
 * tests/integration/db/sharding-keys.test.ts runs the migrations and fails
 * when a table has no entry here, so a new table must choose its key.
 */
export const SHARDING_KEYS: Readonly<Record<string, string>> = {
  // 0001
  discoveries: 'cityHash64(domain)',
  domains: 'cityHash64(domain)', // fed by domains_mv
  // 0002
  observations: 'cityHash64(domain)',
  pass_progress: 'cityHash64(domain)',
  // One row per state change of a pass, read per pass_id (latest wins): a pass's rows share a shard.
  passes: 'cityHash64(pass_id)',
  // 0003
  server_snapshots: 'cityHash64(domain)',
  servers_latest: 'cityHash64(domain)', // fed by servers_latest_mv
  servers_last_ok: 'cityHash64(domain)', // fed by servers_last_ok_mv
  // 0004: `server` is the server whose listing holds the room.
  room_snapshots: 'cityHash64(server)',
  rooms_latest: 'cityHash64(server)', // fed by rooms_latest_mv
  // Fed by room_members_daily_v1_mv from room_snapshots, so its rows sit on their listing server's
  // shard; it has no server column, and nothing inserts into it directly. Readers aggregate (max)
  // through the Distributed table, which merges shards.
  room_members_daily_v1: 'cityHash64(room_id)',
  // 0005: server_daily_v1 is per server; the software and feature rollups hold uniqExact states
  // (fed by their views on each shard, merged by uniqExactMerge across shards), never inserted directly.
  server_daily_v1: 'cityHash64(domain)',
  // CAST: cityHash64 of a LowCardinality column is LowCardinality(UInt64), and a sharding key must be
  // a plain integer.
  software_daily_v1: "cityHash64(CAST(software, 'String'))",
  features_daily_v1: "cityHash64(CAST(feature, 'String'))",
  // 0006
  registrations: 'cityHash64(domain)',
  opt_outs: 'cityHash64(domain)',
  // 0008
  rooms_current: 'cityHash64(server)',
  // 0009: one computation of (step, bucket, protocol) is written whole, and readers keep its latest
  // computed_at, so a computation's rows share a shard.
  network_buckets_v1: 'cityHash64(step, bucket, protocol)',
  // 0010: every key of one Matrix server name on one shard, so a key's row versions meet in argMax and
  // the insert deduplication that makes concurrent key creation converge (federation/identity.ts)
  // sees every attempt in one replicated table.
  matrix_signing_keys: 'cityHash64(server_name)',
  // 0018: per server, fed by server_first_seen_v1_mv (and its backfill, routed by this key).
  server_first_seen_v1: 'cityHash64(domain)',
};
