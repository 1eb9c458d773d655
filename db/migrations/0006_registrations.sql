-- Instance registrations by server admins, and opt-outs. Each change is a new row (updated_at wins),
-- so the history of a registration is kept and no row is ever mutated in place.
CREATE TABLE IF NOT EXISTS registrations ${ON_CLUSTER}
(
    registration_id UUID,
    domain          String,
    protocol        LowCardinality(String),          -- '' until known
    state           LowCardinality(String),          -- pending | verified | expired | removed
    method          LowCardinality(String),          -- '' | dns-txt | well-known
    token           String,                          -- the challenge token (public by design: it is published)
    created_at      DateTime64(3, 'UTC'),
    expires_at      DateTime64(3, 'UTC'),
    verified_at     Nullable(DateTime64(3, 'UTC')),
    updated_at      DateTime64(3, 'UTC'),
    description     String,
    contact         String,
    hidden          Bool DEFAULT false,              -- hide the server from listings
    hidden_rooms    Array(String),                   -- room ids hidden from the directory
    opt_out         Bool DEFAULT false,              -- removal asked: never probed again until lifted
    client_key      String                           -- hashed submitter address, for abuse limits
)
ENGINE = ${REPLICATED}ReplacingMergeTree(updated_at)
ORDER BY (domain, registration_id);

-- Opt-outs seen without registration (a DNS TXT record or robots.txt), one row per sighting.
CREATE TABLE IF NOT EXISTS opt_outs ${ON_CLUSTER}
(
    domain      String,
    source      LowCardinality(String),              -- dns-txt | robots | registration
    active      Bool,
    observed_at DateTime64(3, 'UTC')
)
ENGINE = ${REPLICATED}ReplacingMergeTree(observed_at)
ORDER BY (domain, source);
