/**
 * The room directory's search index, in the serving process: every room of
 * rooms_current with the words of its name, topic and address, answering a
 * directory search (words, filters, ranking, a page and the total) without a
 * store query. BENCHMARKS.md (Room search) has why this and not ClickHouse's
 * text index or a search library; docs/room-search.md how it is kept in step
 * with the store.
 *
 * Layout: a room has a slot; per-slot facts live in typed arrays, the shown
 * text in one small object per slot. Words map to postings (postings.ts) of
 * slots in increasing order. A room whose words change gets a new slot and its
 * old one is marked dead (skipped by searches); when dead slots pass a quarter
 * of the index it is rebuilt from the live rooms ({@link RoomIndex.compact}).
 * A room whose words stay the same (the usual new pass: only its size moved)
 * is updated in place.
 *
 * Visibility (db/visibility-sql.ts) is applied per search from two flags,
 * hidden server and hidden room, set by {@link RoomIndex.setVisibility}.
 */
import type { Protocol } from '../../crawler/types.ts';
import type { RoomPage, RoomRow, SearchRoomsParams } from '../queries/rooms/search-rooms.ts';
import type { RoomsCurrentRow } from '../queries/rooms/update-rooms-current.ts';
import { foldText, wordsOfFolded } from './fold-text.ts';
import { Postings } from './postings.ts';
import { ALL_IN_NAME_BONUS, EXACT_ADDRESS_BONUS, FIELD, PREFIX_FACTOR, WHOLE_NAME_BONUS, fieldWeight, membersBoost } from './rank.ts';

/** What the index needs of a rooms_current row (the writer's type, db/queries/rooms/update-rooms-current.ts). */
export type IndexRow = Pick<RoomsCurrentRow,
  'version' | 'is_deleted' | 'observed_at' | 'protocol' | 'room_id' | 'server' | 'address' | 'name' | 'topic' | 'members'
  | 'avatar_url' | 'language' | 'world_readable' | 'guest_can_join' | 'join_rule' | 'room_type' | 'daily_members' | 'federates'>;

/** The shown text of a room (held as one JSON array string per room: a third of the memory of an object and four strings). */
interface Doc {
  room_id: string;
  address: string;
  name: string;
  topic: string;
  avatar_url: string;
  join_rule: string;
  world_readable: boolean | null;
  guest_can_join: boolean | null;
  observed_at: number;
}

/** At most this many query words are used; the rest are ignored. */
export const MAX_QUERY_WORDS = 8;

/** Flags per slot. */
const ALIVE = 1;
const XMPP = 2;
const SPACE = 4;
const ROOM_HIDDEN = 8;
const FEDERATES = 16;
const LOCAL_ONLY = 32;

/** Options of {@link RoomIndex.search}: the store query's parameters. */
export interface IndexSearchParams extends SearchRoomsParams {
  /** Leave out rooms known to be local-only (`federates` false): the federation directory's view. @default false */
  federatingOnly?: boolean;
}

/** The room directory's in-memory search index. */
export class RoomIndex {
  #capacity = 0;
  #slots = 0;
  #dead = 0;
  #flags = new Uint8Array(0);
  #server = new Uint32Array(0);
  #language = new Uint16Array(0);
  #members = new Uint32Array(0);
  /** Members at the start of the room's 30-day series (growth = members - past). */
  #past = new Uint32Array(0);
  /** membersBoost(members), computed when the size changes rather than per search. */
  #boost = new Float32Array(0);
  #version = new Float64Array(0);
  /** Distinct words of the name (capped at 255): a query naming all of them is the name. */
  #nameWords = new Uint8Array(0);
  /** Doc per slot as `JSON.stringify(DOC_KEYS.map(k => doc[k]))`. */
  #docs: (string | undefined)[] = [];
  /** Room id per slot (the same string as the #byId key). */
  #roomIds: (string | undefined)[] = [];
  #postings = new Postings();
  /** Slot of each live room, per protocol, by room id. */
  readonly #byId: Record<Protocol, Map<string, number>> = { matrix: new Map(), xmpp: new Map() };
  /**
   * Slot of each live room by a hash of its folded address (exact matches; room ids are looked up
   * in #byId). A hit is checked against the address; two addresses of one hash keep the first.
   */
  #exact = new Map<number, number>();
  /** Join rules, avatar URLs '' and the like repeat: one string each. */
  readonly #interned = new Map<string, string>();
  /** Reused per indexed room: word → FIELD bits. */
  readonly #fields = new Map<string, number>();
  readonly #servers: string[] = [];
  readonly #serverIds = new Map<string, number>();
  #serverHidden = new Uint8Array(16);
  readonly #languages: string[] = [''];
  readonly #languageIds = new Map<string, number>([['', 0]]);
  #hiddenRooms = new Set<string>();
  /**
   * Version of the tombstone of each room removed, by `protocol \0 room id`, so an older upsert
   * applied later (a replayed batch, a re-read window) cannot bring it back, as FINAL would not.
   * Entries a week older than the newest version seen are dropped at compaction.
   */
  #gone = new Map<string, number>();
  #newest = 0;
  // Per-search scratch, indexed by slot: a stamp says the slot was touched by search number #gen.
  #stamp = new Uint32Array(0);
  #count = new Uint8Array(0);
  #inName = new Uint8Array(0);
  #score = new Float32Array(0);
  #hits = new Int32Array(1024);
  #keys = new Float64Array(1024);
  #sel = new Int32Array(1024);
  #gen = 0;

  /** Live rooms. */
  get size(): number {
    return this.#slots - this.#dead;
  }

  /** Memory held by the typed arrays and posting lists, in bytes (strings and objects not included). */
  arrayBytes(): number {
    return this.#capacity * (1 + 4 + 2 + 4 + 4 + 4 + 8 + 1 + 4 + 1 + 1 + 4) + this.#postings.bytes()
      + this.#hits.byteLength + this.#keys.byteLength + this.#sel.byteLength;
  }

  /**
   * Apply rows in the order they were written: an upsert replaces the room
   * when its version is not older than the one held; a tombstone removes it.
   * Applying the same rows twice leaves the index as applying them once.
   */
  apply(rows: Iterable<IndexRow>): void {
    for (const row of rows) this.#applyOne(row);
    if (this.#dead > 10_000 && this.#dead * 4 > this.#slots) this.compact();
  }

  /** Release the spare capacity of the word lists, after a bulk load. */
  trim(): void {
    this.#postings.trim();
  }

  /**
   * Who may be shown: rooms of `hiddenServers` and the `(server, room id)`
   * pairs of `hiddenRooms` are never returned (db/visibility-sql.ts).
   */
  setVisibility(hiddenServers: Iterable<string>, hiddenRooms: Iterable<{ server: string; room_id: string }>): void {
    this.#serverHidden.fill(0);
    for (const s of hiddenServers) {
      const id = this.#serverIds.get(s);
      if (id !== undefined) this.#serverHidden[id] = 1;
      else this.#serverHidden[this.#serverId(s)] = 1;
    }
    const next = new Set<string>();
    for (const r of hiddenRooms) next.add(`${r.server}\0${r.room_id}`);
    // Only rooms whose flag changes are looked up.
    const changed = new Set<string>();
    for (const k of next) if (!this.#hiddenRooms.has(k)) changed.add(k);
    for (const k of this.#hiddenRooms) if (!next.has(k)) changed.add(k);
    this.#hiddenRooms = next;
    for (const k of changed) {
      const roomId = k.slice(k.indexOf('\0') + 1);
      for (const map of Object.values(this.#byId)) {
        const slot = map.get(roomId);
        if (slot !== undefined) this.#setRoomHidden(slot);
      }
    }
  }

  /** Rebuild the postings from the live rooms, dropping dead slots. */
  compact(): void {
    const old = {
      slots: this.#slots, flags: this.#flags, server: this.#server, language: this.#language, members: this.#members,
      past: this.#past, version: this.#version, docs: this.#docs, roomIds: this.#roomIds, boost: this.#boost,
    };
    const live = old.slots - this.#dead;
    this.#capacity = 0;
    this.#slots = 0;
    this.#dead = 0;
    this.#flags = new Uint8Array(0);
    this.#server = new Uint32Array(0);
    this.#language = new Uint16Array(0);
    this.#members = new Uint32Array(0);
    this.#past = new Uint32Array(0);
    this.#boost = new Float32Array(0);
    this.#version = new Float64Array(0);
    this.#nameWords = new Uint8Array(0);
    this.#stamp = new Uint32Array(0);
    this.#count = new Uint8Array(0);
    this.#inName = new Uint8Array(0);
    this.#score = new Float32Array(0);
    this.#grow(Math.max(1024, live));
    this.#docs = [];
    this.#roomIds = [];
    this.#postings = new Postings();
    this.#byId.matrix.clear();
    this.#byId.xmpp.clear();
    this.#exact = new Map();
    for (let s = 0; s < old.slots; s++) {
      if (!(old.flags[s]! & ALIVE)) continue;
      const d = unpack(old.docs[s]!);
      const slot = this.#insert(old.flags[s]! & XMPP ? 'xmpp' : 'matrix', d, this.#servers[old.server[s]!]!);
      this.#flags[slot] = old.flags[s]!;
      this.#language[slot] = old.language[s]!;
      this.#members[slot] = old.members[s]!;
      this.#past[slot] = old.past[s]!;
      this.#boost[slot] = old.boost[s]!;
      this.#version[slot] = old.version[s]!;
    }
    this.#postings.trim();
    this.#gen = 0;
    const horizon = this.#newest - 7 * 86_400_000;
    for (const [k, v] of this.#gone) if (v < horizon) this.#gone.delete(k);
  }

  /**
   * One page of rooms matching `params.q` (every word, the last one also as a
   * prefix unless followed by a space), with the filters of the store query,
   * ranked by {@link ../rank.ts} (`sort` 'relevance', the default) or by
   * members, name or growth. An empty query matches every room.
   */
  search(params: IndexSearchParams): RoomPage {
    const limit = params.limit ?? 25;
    const page = params.page ?? 1;
    const raw = params.q ?? '';
    const folded = foldText(raw.trim());
    const words = [...new Set(wordsOfFolded(folded))].slice(0, MAX_QUERY_WORDS);
    const prefixLast = words.length > 0 && !/\s$/.test(raw) && words[words.length - 1]!.length >= 2;
    const exactSlot = this.#exactSlot(folded) ?? this.#byId.matrix.get(raw.trim()) ?? this.#byId.xmpp.get(raw.trim());
    const found = words.length > 0 || folded === '' ? this.#match(words, prefixLast, exactSlot) : 0;
    const filter = this.#filter(params);
    const sort = params.sort ?? 'relevance';
    const n = Math.max(1, words.length);
    if (this.#keys.length < found) { this.#keys = new Float64Array(found * 2); this.#sel = new Int32Array(found * 2); }
    const keys = this.#keys;
    const sel = this.#sel;
    const hits = this.#hits;
    let total = 0;
    for (let h = 0; h < found; h++) {
      const slot = hits[h]!;
      if (!filter(slot)) continue;
      let key: number;
      if (sort === 'relevance') {
        key = words.length === 0 ? this.#members[slot]! : this.#score[slot]! / n + this.#boost[slot]!;
        if (words.length > 0 && this.#inName[slot] === words.length) {
          key += ALL_IN_NAME_BONUS + (this.#nameWords[slot] === words.length ? WHOLE_NAME_BONUS : 0);
        }
        if (exactSlot === slot) key += EXACT_ADDRESS_BONUS;
      } else if (sort === 'growth') key = this.#members[slot]! - this.#past[slot]!;
      else key = this.#members[slot]!;
      keys[total] = key;
      sel[total] = slot;
      total++;
    }
    const order = this.#top(sort, total, Math.min(total, page * limit));
    const rows = order.slice((page - 1) * limit).map((i) => this.#row(sel[i]!));
    return { rows, total, page, pages: Math.max(1, Math.ceil(total / limit)) };
  }

  /**
   * Slots of live rooms having every word into #hits (scores in #score, name
   * hits in #inName), and the exact address or room id; no words: every live
   * room. Returns how many.
   */
  #match(words: string[], prefixLast: boolean, exactSlot: number | undefined): number {
    let found = 0;
    if (this.#hits.length < this.#slots) this.#hits = new Int32Array(this.#capacity);
    const hits = this.#hits;
    if (words.length === 0) {
      for (let s = 0; s < this.#slots; s++) if (this.#flags[s]! & ALIVE) hits[found++] = s;
      return found;
    }
    if (++this.#gen === 0xffffffff) { this.#stamp.fill(0); this.#gen = 1; }
    const gen = this.#gen;
    const stamp = this.#stamp;
    const count = this.#count;
    const score = this.#score;
    const inName = this.#inName;
    const last = words.length - 1;
    for (let i = 0; i < words.length; i++) {
      const expansions = this.#postings.expand(words[i]!, prefixLast && i === last);
      let touched = false;
      for (const { posting, exact } of expansions) {
        const factor = exact ? 1 : PREFIX_FACTOR;
        const ids = posting.ids;
        for (let j = 0; j < posting.n; j++) {
          const e = ids[j]!;
          const slot = e >>> 4;
          if (i === 0) {
            if (stamp[slot] === gen) continue;
            stamp[slot] = gen;
            count[slot] = 1;
            score[slot] = fieldWeight(e & 15) * factor;
            inName[slot] = e & FIELD.name;
            if (last === 0) hits[found++] = slot;
            touched = true;
          } else if (stamp[slot] === gen && count[slot] === i) {
            count[slot] = i + 1;
            score[slot]! += fieldWeight(e & 15) * factor;
            inName[slot]! += e & FIELD.name;
            if (i === last) hits[found++] = slot;
            touched = true;
          }
        }
      }
      if (!touched) break;
    }
    // The exact address or room id, even when its words are not all indexed (a room id's are not).
    if (exactSlot !== undefined && !(stamp[exactSlot] === gen && count[exactSlot] === words.length)) {
      stamp[exactSlot] = gen;
      count[exactSlot] = words.length;
      score[exactSlot] = 0;
      inName[exactSlot] = 0;
      hits[found++] = exactSlot;
    }
    return found;
  }

  /** The per-slot test for the filters and visibility. */
  #filter(p: IndexSearchParams): (slot: number) => boolean {
    const need = ALIVE | ((p.type ?? 'all') === 'space' ? SPACE : 0);
    const protocol = p.protocol === undefined ? -1 : p.protocol === 'xmpp' ? XMPP : 0;
    const language = p.language === undefined ? -1 : this.#languageIds.get(p.language) ?? -2;
    const server = p.server === undefined ? -1 : this.#serverIds.get(p.server) ?? -2;
    const min = p.minMembers ?? 0;
    const max = p.maxMembers ?? 0xffffffff;
    const type = p.type ?? 'all';
    const refuse = ROOM_HIDDEN | (p.federatingOnly ? LOCAL_ONLY : 0);
    return (slot) => {
      const f = this.#flags[slot]!;
      if ((f & need) !== need || (f & refuse) || this.#serverHidden[this.#server[slot]!]) return false;
      if (type === 'room' && (f & SPACE)) return false;
      if (protocol !== -1 && (f & XMPP) !== protocol) return false;
      if (language !== -1 && this.#language[slot] !== language) return false;
      if (server !== -1 && this.#server[slot] !== server) return false;
      const m = this.#members[slot]!;
      return m >= min && m <= max;
    };
  }

  /** Indexes into #keys/#sel of the best `k` of `total`, in order (key desc, then members desc, then room id). */
  #top(sort: IndexSearchParams['sort'], total: number, k: number): number[] {
    const keys = this.#keys;
    const sel = this.#sel;
    const roomId = (i: number) => this.#roomIds[sel[i]!]!;
    if (sort === 'name') {
      const idx = Array.from({ length: total }, (_, i) => i);
      const names = idx.map((i) => unpack(this.#docs[sel[i]!]!).name.toLowerCase());
      return idx.sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : roomId(a) < roomId(b) ? -1 : 1)).slice(0, k);
    }
    const members = this.#members;
    const better = (a: number, b: number) => keys[a]! !== keys[b]! ? keys[a]! > keys[b]!
      : members[sel[a]!] !== members[sel[b]!] ? members[sel[a]!]! > members[sel[b]!]!
        : roomId(a) < roomId(b);
    // A min-heap of the best k so far: the root is the worst kept.
    const heap: number[] = [];
    for (let i = 0; i < total && k > 0; i++) {
      if (heap.length < k) {
        heap.push(i);
        for (let c = heap.length - 1; c > 0;) {
          const p = (c - 1) >> 1;
          if (!better(heap[p]!, heap[c]!)) break;
          [heap[p], heap[c]] = [heap[c]!, heap[p]!];
          c = p;
        }
      } else if (better(i, heap[0]!)) {
        heap[0] = i;
        for (let c = 0; ;) {
          const l = 2 * c + 1;
          const r = l + 1;
          let w = c;
          if (l < heap.length && better(heap[w]!, heap[l]!)) w = l;
          if (r < heap.length && better(heap[w]!, heap[r]!)) w = r;
          if (w === c) break;
          [heap[c], heap[w]] = [heap[w]!, heap[c]!];
          c = w;
        }
      }
    }
    return heap.sort((a, b) => (better(a, b) ? -1 : 1));
  }

  #row(slot: number): RoomRow {
    const d = unpack(this.#docs[slot]!);
    const f = this.#flags[slot]!;
    return {
      protocol: f & XMPP ? 'xmpp' : 'matrix', room_id: d.room_id, server: this.#servers[this.#server[slot]!]!,
      address: d.address, name: d.name, topic: d.topic, members: this.#members[slot]!,
      growth: this.#members[slot]! - this.#past[slot]!, language: this.#languages[this.#language[slot]!]!,
      room_type: f & SPACE ? 'space' : 'room', world_readable: d.world_readable, guest_can_join: d.guest_can_join,
      join_rule: d.join_rule, federates: f & FEDERATES ? true : f & LOCAL_ONLY ? false : null,
      avatar_url: d.avatar_url, observed_at: new Date(d.observed_at).toISOString(),
    };
  }

  #applyOne(row: IndexRow): void {
    const map = this.#byId[row.protocol];
    if (!map) return;
    const version = Number(row.version);
    if (version > this.#newest) this.#newest = version;
    const held = map.get(row.room_id);
    if (held !== undefined && version < this.#version[held]!) return;
    const goneKey = `${row.protocol}\0${row.room_id}`;
    if (held === undefined && this.#gone.size > 0) {
      const gone = this.#gone.get(goneKey);
      if (gone !== undefined && version <= gone && !row.is_deleted) return;
    }
    if (row.is_deleted) {
      if (held !== undefined) this.#kill(held, map, row.room_id);
      if (version > (this.#gone.get(goneKey) ?? -1)) this.#gone.set(goneKey, version);
      return;
    }
    this.#gone.delete(goneKey);
    const doc: Doc = {
      room_id: row.room_id, address: row.address, name: row.name, topic: row.topic, avatar_url: this.#intern(row.avatar_url),
      join_rule: this.#intern(row.join_rule), world_readable: row.world_readable, guest_can_join: row.guest_can_join, observed_at: Number(row.observed_at),
    };
    let slot = held;
    const old = held === undefined ? undefined : unpack(this.#docs[held]!);
    const sameWords = old !== undefined && old.name === row.name && old.topic === row.topic && old.address === row.address
      && this.#servers[this.#server[held!]!] === row.server;
    if (!sameWords) {
      if (held !== undefined) this.#kill(held, map, row.room_id);
      slot = this.#insert(row.protocol, doc, row.server);
    } else {
      this.#docs[slot!] = pack(doc);
    }
    const s = slot!;
    this.#flags[s] = ALIVE | (row.protocol === 'xmpp' ? XMPP : 0) | (row.room_type === 'space' ? SPACE : 0)
      | (row.federates === true ? FEDERATES : row.federates === false ? LOCAL_ONLY : 0);
    this.#setRoomHidden(s);
    this.#language[s] = this.#languageId(row.language);
    this.#members[s] = row.members;
    this.#boost[s] = membersBoost(row.members);
    const first = row.daily_members[0];
    this.#past[s] = first === undefined ? row.members : Number(first);
    this.#version[s] = version;
  }

  /** A new slot for a room: its words indexed, its id and address registered. */
  #insert(protocol: Protocol, doc: Doc, server: string): number {
    if (this.#slots === this.#capacity) this.#grow(Math.max(1024, this.#capacity * 2));
    const slot = this.#slots++;
    this.#docs[slot] = pack(doc);
    this.#roomIds[slot] = doc.room_id;
    this.#server[slot] = this.#serverId(server);
    this.#flags[slot] = ALIVE;
    const fields = this.#fields;
    fields.clear();
    const mark = (words: string[], bit: number) => { for (const w of words) fields.set(w, (fields.get(w) ?? 0) | bit); };
    const name = wordsOfFolded(foldText(doc.name));
    mark(name, FIELD.name);
    mark(wordsOfFolded(foldText(doc.topic)), FIELD.topic);
    const address = foldText(doc.address);
    // Matrix `#local:domain`, XMPP `local@domain`: the local part names the room, the domain its server.
    const cut = protocol === 'matrix' ? address.indexOf(':') : address.indexOf('@');
    mark(wordsOfFolded(cut < 0 ? address : address.slice(0, cut)), FIELD.local);
    if (cut >= 0) mark(wordsOfFolded(address.slice(cut + 1)), FIELD.domain);
    let nameWords = 0;
    for (const [w, bits] of fields) {
      this.#postings.add(w, slot, bits);
      if (bits & FIELD.name) nameWords++;
    }
    this.#nameWords[slot] = Math.min(255, nameWords);
    this.#byId[protocol].set(doc.room_id, slot);
    if (address) {
      const h = hash(address);
      if (!this.#exact.has(h)) this.#exact.set(h, slot);
    }
    return slot;
  }

  #kill(slot: number, map: Map<string, number>, roomId: string): void {
    this.#flags[slot] = 0;
    this.#dead += 1;
    map.delete(roomId);
    const h = hash(foldText(unpack(this.#docs[slot]!).address));
    if (this.#exact.get(h) === slot) this.#exact.delete(h);
    this.#docs[slot] = undefined;
    this.#roomIds[slot] = undefined;
  }

  #setRoomHidden(slot: number): void {
    const roomId = this.#roomIds[slot];
    if (roomId === undefined) return;
    const hidden = this.#hiddenRooms.has(`${this.#servers[this.#server[slot]!]}\0${roomId}`);
    this.#flags[slot] = hidden ? this.#flags[slot]! | ROOM_HIDDEN : this.#flags[slot]! & ~ROOM_HIDDEN;
  }

  #exactSlot(folded: string): number | undefined {
    const slot = this.#exact.get(hash(folded));
    return slot !== undefined && foldText(unpack(this.#docs[slot]!).address) === folded ? slot : undefined;
  }

  #intern(value: string): string {
    if (value.length > 64) return value;
    const held = this.#interned.get(value);
    if (held !== undefined) return held;
    if (this.#interned.size < 10_000) this.#interned.set(value, value);
    return value;
  }

  #serverId(server: string): number {
    let id = this.#serverIds.get(server);
    if (id === undefined) {
      id = this.#servers.length;
      this.#servers.push(server);
      this.#serverIds.set(server, id);
      if (id >= this.#serverHidden.length) {
        const grown = new Uint8Array(this.#serverHidden.length * 2);
        grown.set(this.#serverHidden);
        this.#serverHidden = grown;
      }
    }
    return id;
  }

  #languageId(language: string): number {
    let id = this.#languageIds.get(language);
    if (id === undefined && this.#languages.length < 0xffff) {
      id = this.#languages.length;
      this.#languages.push(language);
      this.#languageIds.set(language, id);
    }
    return id ?? 0;
  }

  #grow(capacity: number): void {
    const grow = <T extends Uint8Array | Uint16Array | Uint32Array | Float32Array | Float64Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(capacity);
      b.set(a as never);
      return b;
    };
    this.#flags = grow(this.#flags, Uint8Array);
    this.#server = grow(this.#server, Uint32Array);
    this.#language = grow(this.#language, Uint16Array);
    this.#members = grow(this.#members, Uint32Array);
    this.#past = grow(this.#past, Uint32Array);
    this.#boost = grow(this.#boost, Float32Array);
    this.#version = grow(this.#version, Float64Array);
    this.#nameWords = grow(this.#nameWords, Uint8Array);
    this.#stamp = grow(this.#stamp, Uint32Array);
    this.#count = grow(this.#count, Uint8Array);
    this.#inName = grow(this.#inName, Uint8Array);
    this.#score = grow(this.#score, Float32Array);
    this.#capacity = capacity;
  }
}

const DOC_KEYS = ['room_id', 'address', 'name', 'topic', 'avatar_url', 'join_rule', 'world_readable', 'guest_can_join', 'observed_at'] as const;

function pack(d: Doc): string {
  return JSON.stringify(DOC_KEYS.map((k) => d[k]));
}

function unpack(s: string): Doc {
  const a = JSON.parse(s) as unknown[];
  return Object.fromEntries(DOC_KEYS.map((k, i) => [k, a[i]])) as unknown as Doc;
}

/** FNV-1a over UTF-16 code units, cut to 30 bits so it is a small integer (no heap number per key): the key of #exact. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}
