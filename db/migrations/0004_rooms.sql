-- Public rooms and channels, one row per room per listing (crawler/types.ts RoomSnapshot).
-- ORDER BY (protocol, room_id, observed_at) gives each room's member-count series in one range read.
CREATE TABLE IF NOT EXISTS room_snapshots ${ON_CLUSTER}
(
    observed_at     DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    pass_id         UUID,
    protocol        LowCardinality(String),
    room_id         String CODEC(ZSTD(1)),
    server          String CODEC(ZSTD(1)),           -- the server that listed it
    address         String CODEC(ZSTD(1)),           -- canonical alias or room JID
    name            String CODEC(ZSTD(3)),
    topic           String CODEC(ZSTD(3)),
    members         UInt32 CODEC(T64, ZSTD(1)),
    avatar_url      String CODEC(ZSTD(3)),
    language        LowCardinality(String),
    world_readable  Nullable(Bool),
    guest_can_join  Nullable(Bool),
    join_rule       LowCardinality(String),
    room_type       LowCardinality(String),          -- room | space
    children        Array(String) CODEC(ZSTD(3))
)
ENGINE = ${REPLICATED}MergeTree
PARTITION BY toYYYYMM(observed_at)
ORDER BY (protocol, room_id, observed_at)
SETTINGS non_replicated_deduplication_window = 1000;

-- Latest facts per room. The search text is lower-cased once at insert (MATERIALIZED) and carries an
-- n-gram bloom filter so substring search skips granules that cannot match.
-- A room is "currently listed" when its observed_at is not older than its server's last room listing;
-- queries join servers_latest for that, so rooms that vanish leave the directory without deletes.
CREATE TABLE IF NOT EXISTS rooms_latest ${ON_CLUSTER}
(
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
    children        Array(String),
    search_text     String MATERIALIZED lower(concat(name, ' ', topic, ' ', address, ' ', room_id)),
    INDEX search_ngrams search_text TYPE ngrambf_v1(3, 8192, 3, 7) GRANULARITY 1,
    INDEX server_idx server TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ${REPLICATED}ReplacingMergeTree(observed_at)
ORDER BY (protocol, room_id)
-- retried batches (same insert_deduplication_token) are dropped here too, not only in the source table
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS rooms_latest_mv ${ON_CLUSTER} TO rooms_latest AS
SELECT observed_at, pass_id, protocol, room_id, server, address, name, topic, members, avatar_url, language,
       world_readable, guest_can_join, join_rule, room_type, children
FROM room_snapshots;

-- Member-count time series per room and day: the daily maximum (a room's size that day).
CREATE TABLE IF NOT EXISTS room_members_daily_v1 ${ON_CLUSTER}
(
    protocol LowCardinality(String),
    room_id  String,
    day      Date,
    members  SimpleAggregateFunction(max, UInt32)
)
ENGINE = ${REPLICATED}AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (protocol, room_id, day)
-- retried batches (same insert_deduplication_token) are dropped here too, not only in the source table
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS room_members_daily_v1_mv ${ON_CLUSTER} TO room_members_daily_v1 AS
SELECT protocol, room_id, toDate(observed_at) AS day, members FROM room_snapshots;
