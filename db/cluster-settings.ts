/**
 * Settings of every query and insert in cluster mode (CLICKHOUSE_CLUSTER set),
 * applied by db/client.ts. See docs/scale-out.md section 1.
 */
export const CLUSTER_SETTINGS = {
  /**
   * An INSERT into a Distributed table returns only after every shard's part
   * is written (on one replica per shard; replication copies it on). The
   * default (0) queues the rows on the receiving node's disk and sends them
   * later, so an acknowledged batch could still be lost with that node, which
   * the crawler's journal (jobs/crawl/batch-journal.ts) would not know. Named
   * `insert_distributed_sync` before ClickHouse 23; that name is an alias.
   */
  distributed_foreground_insert: 1,
  /**
   * A non-GLOBAL IN or JOIN subquery on a Distributed table, inside a query on
   * a Distributed table, reads the shard's local table. Every table is
   * sharded by server name (db/sharding-keys.ts), so the subqueries on the
   * domain (visibility-sql.ts, servers_last_ok, pass_progress) find their
   * rows on the same shard. The default, `deny`, refuses such queries.
   */
  distributed_product_mode: 'local',
} as const;
