/**
 * Room-level opt-out: a marker a room's moderators put in the room's own
 * topic (Matrix `m.room.topic`) or description (XMPP `muc#roominfo_description`,
 * XEP-0045 §15.5.4, or its subject), so the room stays out of every index
 * without access to the server.
 *
 * Two markers are honoured:
 * - **MRS's** (Matrix Rooms Search, matrixrooms.info), `(MRS-noindex:true-MRS)`.
 *   Spec: etkecc/mrs `docs/room-configuration.md` ("Noindex"); code:
 *   `internal/model/roomconfig.go` (`RoomConfigTagStart = "(MRS-"`,
 *   `RoomConfigDelimiter = "|"`, `RoomConfigTagEnd = "-MRS)"`; `parseRoomConfig`
 *   splits `key:value` pairs, lower-cases the value and sets `Noindex` for
 *   `yes`, `true` or `1`), used by `MatrixRoom.Parse` in `internal/model/matrix.go`,
 *   which returns false for a noindex room so that `internal/services/crawler.go`
 *   skips it before storing anything (read at etkecc/mrs 5824daa, 2026-07).
 *   So `(MRS-language:EN|noindex:yes-MRS)` opts out too, and a room can carry
 *   one string for every MRS option.
 * - **Chatlas's own**, `(chatlas-noindex)`, for rooms on either network.
 *
 * Where MRS reads only the first `(MRS-…-MRS)` string and matches its tags
 * case-sensitively, this reads every one and ignores case in tags, keys and
 * the Chatlas marker: withholding a room by mistake costs a directory entry,
 * listing one that asked not to be costs its moderators' trust.
 */

/** MRS's opt-out marker, as a moderator would paste it. */
export const MRS_NOINDEX_MARKER = '(MRS-noindex:true-MRS)';
/** Chatlas's own opt-out marker (any case). */
export const CHATLAS_NOINDEX_MARKER = '(chatlas-noindex)';

/** Characters of a topic or description searched for a marker (Synapse caps a whole event at 64 KiB). @default 65536 */
export const MAX_MARKER_SCAN = 65_536;

const MRS_START = '(mrs-';
const MRS_END = '-mrs)';
/** `noindex` values that MRS reads as true (roomconfig.go `parseRoomConfig`). */
const MRS_TRUE = new Set(['yes', 'true', '1']);

/**
 * Does this room text carry an opt-out marker? Pass the text before any cut
 * to display length: a marker is usually at the end of a topic.
 * @example hasNoindexMarker('Rust chat [.](MRS-noindex:true-MRS)') // true
 * @example hasNoindexMarker('Ask me (MRS-language:EN-MRS)') // false
 */
export function hasNoindexMarker(text: string): boolean {
  if (typeof text !== 'string' || text.length === 0) return false;
  // Lower-cased once: the search works on this copy only, so a case mapping that changes
  // the length of some character cannot shift an index into the original.
  const lower = text.slice(0, MAX_MARKER_SCAN).toLowerCase();
  if (lower.includes(CHATLAS_NOINDEX_MARKER)) return true;
  let from = 0;
  for (;;) {
    const start = lower.indexOf(MRS_START, from);
    if (start < 0) return false;
    const body = start + MRS_START.length;
    const end = lower.indexOf(MRS_END, body);
    if (end < 0) return false;
    if (mrsConfigSaysNoindex(lower.slice(body, end))) return true;
    // Past this string's end: every character is read once, whatever a hostile topic holds.
    from = end + MRS_END.length;
  }
}

/**
 * One `key:value|key:value` string: is `noindex` set to a true value? A start tag
 * inside it (`(MRS-a:b (MRS-noindex:true-MRS)`) also separates pairs.
 */
function mrsConfigSaysNoindex(config: string): boolean {
  for (const pair of config.split(MRS_START).flatMap((part) => part.split('|'))) {
    const colon = pair.indexOf(':');
    if (colon < 0) continue;
    if (pair.slice(0, colon).trim() === 'noindex' && MRS_TRUE.has(pair.slice(colon + 1).trim())) return true;
  }
  return false;
}
