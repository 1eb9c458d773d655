-- What a server told the probe about our pace (issue 12: "a 429 or 503 with Retry-After, or a robots.txt
-- Crawl-delay, lowers that server's budget"), stored so the lowered budget outlives the process that saw it.
-- rate_limited: 1 when a response of this probe was a 429 or 503 with a Retry-After (crawler/policy/politeness.ts
-- paceOf); crawl_delay: the robots.txt Crawl-delay the probe's requests went by, seconds (0: none or not read).
-- The crawl plan reads the last of each per server (db/queries/frontier/list-server-history.ts) and seeds the
-- network layer's budget with them (crawler/net/request-budget.ts seedPace; the rule is crawler/policy/cadence.ts
-- effectiveBudget: halved for 7 days after the 429/503, 86,400 / d a day for 7 days after the Crawl-delay was read).
-- Rows stored before read 0: nothing said.
-- As in 0011: the two copies fed by `SELECT *` materialized views get the columns first.
ALTER TABLE servers_latest ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS rate_limited UInt8 DEFAULT 0;
ALTER TABLE servers_last_ok ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS rate_limited UInt8 DEFAULT 0;
ALTER TABLE server_snapshots ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS rate_limited UInt8 DEFAULT 0;
ALTER TABLE servers_latest ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS crawl_delay Float64 DEFAULT 0;
ALTER TABLE servers_last_ok ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS crawl_delay Float64 DEFAULT 0;
ALTER TABLE server_snapshots ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS crawl_delay Float64 DEFAULT 0;
