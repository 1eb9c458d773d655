-- The guide's facts per snapshot (issue 15).
-- offer: what the server says about itself, as JSON (crawler/offer.ts ServerOffer: the XMPP provider
-- file's statements, the Matrix support well-known, XMPP contact addresses), read back only by
-- parseServerOffer; '' = nothing known (rows from before this column read as unknown, never as absent).
-- upload_max: XMPP XEP-0363 max-file-size in bytes; NULL = not known.
-- measured_at: when each kind of fact (crawler/fact-kinds.ts) was last measured, kind -> time; a row that
-- carried a kind forward carries its time too (db/carry-forward.ts), so the latest row says how old
-- each shown fact is. Rows from before this column read {}: use observed_at with `measured`.
-- As in 0011: the two copies fed by `SELECT *` materialized views get the columns first.
ALTER TABLE servers_latest ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS offer String DEFAULT '' CODEC(ZSTD(3));
ALTER TABLE servers_last_ok ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS offer String DEFAULT '' CODEC(ZSTD(3));
ALTER TABLE server_snapshots ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS offer String DEFAULT '' CODEC(ZSTD(3));
ALTER TABLE servers_latest ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS upload_max Nullable(UInt64);
ALTER TABLE servers_last_ok ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS upload_max Nullable(UInt64);
ALTER TABLE server_snapshots ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS upload_max Nullable(UInt64);
ALTER TABLE servers_latest ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS measured_at Map(LowCardinality(String), DateTime64(3, 'UTC'));
ALTER TABLE servers_last_ok ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS measured_at Map(LowCardinality(String), DateTime64(3, 'UTC'));
ALTER TABLE server_snapshots ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS measured_at Map(LowCardinality(String), DateTime64(3, 'UTC'));
