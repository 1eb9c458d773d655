/** A hand-made rooms_current row for the room index tests. */
import type { IndexRow } from '../../../../db/room-index/room-index.ts';

let version = 1;
/** A room row as rooms_current holds it; every field but the id defaulted. */
export function row(over: Partial<IndexRow> & { room_id: string }): IndexRow {
  return {
    version: version++, is_deleted: 0, observed_at: Date.parse('2026-12-01T00:00:00Z'), protocol: 'matrix',
    server: over.room_id.split(':')[1] ?? 'example.org', address: '', name: '', topic: '', members: 1, avatar_url: '',
    language: '', world_readable: null, guest_can_join: null, join_rule: 'public', room_type: 'room', daily_members: [], federates: null,
    ...over,
  };
}

