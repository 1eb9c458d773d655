-- Which definition of a network cell a computation of network_buckets_v1 used (issue 13 item 7).
-- Definition 1 (every row written before this column) counted in `probed` every server probed in the
-- bucket; definition 2 (db/queries/stats/live-cells-sql.ts NETWORK_CELLS_DEFINITION) leaves out domains
-- whose last state is `not-a-server`, which show no sign of running the protocol (db/runs-protocol-sql.ts).
-- Readers (db/queries/stats/plan-network-cells.ts) use only computations of the current definition, so the
-- rows written before read as missing: those buckets are computed from server_daily_v1 until the rollup job
-- writes them again (its next round), and answers stay exact throughout. Nothing is deleted: superseded
-- computations are left in place, as 0009 does with stale ones.
ALTER TABLE network_buckets_v1 ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS definition UInt8 DEFAULT 1 AFTER computed_at;
