-- Whether users of other servers can join a room (crawler/types.ts RoomSnapshot.federates):
-- false for a local-only room (Matrix `m.federate: false`, which no client directory shows; the crawler
-- reads it as "listed by the server's client directory, absent from its complete federation directory",
-- crawler/protocol/matrix-rooms.ts federatesFrom), true when the federation directory lists it, NULL when
-- not known (every row written before this migration, every XMPP room). The directory offers no join
-- link for false (site/lib/join-link.ts). ADD COLUMN IF NOT EXISTS keeps the migration safe to run twice.
ALTER TABLE room_snapshots ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS federates Nullable(Bool) AFTER children;
-- The directory's table (0008): written from the same row as room_snapshots, so it gets the column too.
ALTER TABLE rooms_current ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS federates Nullable(Bool) AFTER room_type;
