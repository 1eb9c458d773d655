-- Chatlas's own Matrix federation signing keys (issue 11): the ed25519 keys it signs X-Matrix requests
-- and its /_matrix/key/v2/server response with, kept with the store so that every process using the
-- store (serve, crawl, every shard of a cluster) signs as the same server, across restarts.
--
-- One row per version of a key: a key is written once when created and once more when a rotation
-- expires it; the newest updated_at per (server_name, key_id) wins (readers take argMax, so a version
-- written a moment ago counts before any merge). Nothing is ever deleted: an expired key stays
-- published in old_verify_keys so signatures made with it can still be checked.
--
-- Creating and rotating keys race between processes; they converge through insert deduplication, not
-- through this table's ordering: see federation/identity.ts. non_replicated_deduplication_window gives
-- the embedded store and a single server the same deduplication as Replicated tables on a cluster.
CREATE TABLE IF NOT EXISTS matrix_signing_keys ${ON_CLUSTER}
(
    server_name String,                              -- the Matrix server name these keys sign as
    key_id      String,                              -- 'ed25519:a_XXXXXXXX', never reused
    seed        String,                              -- SECRET: the 32-byte ed25519 private key, unpadded base64
    public_key  String,                              -- unpadded base64, as published (readable without the seed)
    created_at  DateTime64(3, 'UTC'),
    expired_at  Nullable(DateTime64(3, 'UTC')),      -- null while the key is current; else old_verify_keys' expired_ts
    updated_at  DateTime64(3, 'UTC')                 -- version of this row
)
ENGINE = ${REPLICATED}ReplacingMergeTree(updated_at)
ORDER BY (server_name, key_id)
SETTINGS non_replicated_deduplication_window = 1000;
