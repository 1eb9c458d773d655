-- The room directory's table: one row per room currently listed by a server's latest successful
-- listing. rooms_latest + servers_last_ok say the same thing, but a search had to check every room's
-- (server, pass_id) against servers_last_ok, ~85 ms of a 180 ms browse at a million rooms (BENCHMARKS.md).
-- Here the check is done once, at write time, by insertProbeResults
-- (db/queries/observations/insert-probe-results.ts): when a server's listing is written, its rooms
-- are upserted and every room it listed before but not now gets a tombstone (is_deleted = 1) at the
-- new listing's time. So a room that vanishes leaves without a query-time join, and a room moving to
-- another server stays (its current row names the other server, whose listing is not tombstoning it).
-- `version` is the observation time in ms: a replayed or late batch never brings back an older
-- version, and writes are idempotent (the same row twice is one row after FINAL).
-- Each row carries its room's daily member series over the 30 days up to its observation (read from
-- room_members_daily_v1 for the batch's rooms at write time), so sorting a million rooms by growth
-- reads two array columns instead of joining 30 days of daily rows.
-- Hidden and opted-out rooms and servers are still filtered at query time (visibility-sql.ts), since
-- they change without a listing.
--
-- FINAL stays cheap without OPTIMIZE: ClickHouse (chdb 26.x) reads the non-intersecting ranges of
-- parts without merging them (split_parts_ranges_into_intersecting_and_non_intersecting_final), and
-- background merges keep the parts few. No hash-bucket partitions: every batch touches rooms all over
-- the key space, so buckets would multiply the parts of each insert without shrinking what FINAL
-- merges. Queries filter in WHERE (after FINAL), never PREWHERE, so an old version of a renamed room
-- can never match; the n-gram index still skips granules under FINAL in exact mode
-- (use_skip_indexes_if_final + use_skip_indexes_if_final_exact_mode, set by search-rooms.ts).
CREATE TABLE IF NOT EXISTS rooms_current ${ON_CLUSTER}
(
    version         UInt64,
    is_deleted      UInt8,
    observed_at     DateTime64(3, 'UTC'),
    pass_id         UUID,
    protocol        LowCardinality(String),
    room_id         String,
    server          String,
    address         String,
    name            String,
    topic           String,
    members         UInt32,
    avatar_url      String,
    language        LowCardinality(String),
    world_readable  Nullable(Bool),
    guest_can_join  Nullable(Bool),
    join_rule       LowCardinality(String),
    room_type       LowCardinality(String),
    -- The room's daily size series (room_members_daily_v1) from 30 days before this observation's day
    -- to that day, oldest first, so growth over up to 30 days needs no scan of the daily table.
    daily_days      Array(Date) CODEC(ZSTD(1)),
    daily_members   Array(UInt32) CODEC(ZSTD(1)),
    search_text     String MATERIALIZED lower(concat(name, ' ', topic, ' ', address, ' ', room_id)),
    INDEX search_ngrams search_text TYPE ngrambf_v1(3, 8192, 3, 7) GRANULARITY 1,
    INDEX server_idx server TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ${REPLICATED}ReplacingMergeTree(version, is_deleted)
ORDER BY (protocol, room_id)
-- a replayed batch (same insert_deduplication_token, suffix :rooms_current) is dropped
SETTINGS non_replicated_deduplication_window = 1000;

-- Backfill for stores that predate this table: the rooms that the old query showed (latest version of
-- each room, from its server's latest successful pass). Idempotent: a repeat inserts the same rows
-- with the same version, which FINAL folds into one, and a tombstone written since has a later
-- version and still wins. On a new store both sources are empty.
INSERT INTO rooms_current (version, is_deleted, observed_at, pass_id, protocol, room_id, server, address, name, topic,
                           members, avatar_url, language, world_readable, guest_can_join, join_rule, room_type,
                           daily_days, daily_members)
SELECT toUInt64(toUnixTimestamp64Milli(r.observed_at)), 0, r.observed_at, r.pass_id, r.protocol, r.room_id, r.server,
       r.address, r.name, r.topic, r.members, r.avatar_url, r.language, r.world_readable, r.guest_can_join, r.join_rule,
       r.room_type,
       arrayFilter((x) -> x >= toDate(r.observed_at) - 30 AND x <= toDate(r.observed_at), d.days),
       arrayFilter((m, x) -> x >= toDate(r.observed_at) - 30 AND x <= toDate(r.observed_at), d.ms, d.days)
FROM (
  SELECT * FROM rooms_latest FINAL
  WHERE (protocol, server, pass_id) IN (SELECT protocol, domain, pass_id FROM servers_last_ok FINAL)
) AS r
LEFT JOIN (
  SELECT protocol, room_id, arraySort(groupArray(day)) AS days, arraySort((m, x) -> x, groupArray(m), groupArray(day)) AS ms
  FROM (
    SELECT protocol, room_id, day, max(members) AS m FROM room_members_daily_v1
    WHERE day >= (SELECT toDate(min(observed_at)) - 30 FROM rooms_latest)
    GROUP BY protocol, room_id, day
  )
  GROUP BY protocol, room_id
) AS d ON d.protocol = r.protocol AND d.room_id = r.room_id;
