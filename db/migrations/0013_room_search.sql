-- Room search (issue 14).
-- The language of a room, with how sure it is: 1 for a language the room declares (XMPP
-- muc#roominfo_lang), the detector's lead over the runner-up for one detected from name and topic
-- (lib/detect-language.ts, db/rows.ts roomLanguage), 0 for none. `language` itself holds the declared
-- language, else the detected one, so the directory's language filter and every reader work unchanged.
-- Rows stored before read 0 (their `language` is what was declared, or '').
ALTER TABLE room_snapshots ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS language_confidence Float32 DEFAULT 0 AFTER language;
ALTER TABLE rooms_current ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS language_confidence Float32 DEFAULT 0 AFTER language;
-- When a row of the directory's table was written (wall clock of the writer, epoch ms;
-- db/queries/rooms/update-rooms-current.ts). Every serving process's room index (db/room-index) reads
-- the rows written since the newest it has seen, minus a margin for clock skew between writers, so a
-- pass written by another process (a crawler beside the site, another node of a cluster) reaches its
-- search within seconds without a rebuild. Rows stored before read 0: the index's first build reads
-- them all anyway.
ALTER TABLE rooms_current ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS inserted_at DateTime64(3, 'UTC') DEFAULT 0;
-- Rows sit in key order (protocol, room_id), so a granule's times are mixed once merged; but a part
-- written since the last merge holds only recent rows, and merged parts hold old ones: the min/max
-- index skips every part older than the index's watermark, which is most of the table between merges.
ALTER TABLE rooms_current ${ON_CLUSTER} ADD INDEX IF NOT EXISTS inserted_at_minmax inserted_at TYPE minmax GRANULARITY 1;
