/**
 * Deterministic synthetic room directories for the search benchmark and the
 * search tests: rooms whose names and topics follow a realistic word
 * distribution, unlike tests/harness/synthetic.ts (22 words, one topic
 * template), which is about servers and statistics.
 *
 * - Words are drawn Zipf-like (Zipf-Mandelbrot, s = 1.05, q = 10) from a
 *   vocabulary of real topic words followed by a long tail of generated
 *   pseudo-words: at a million rooms the commonest word ("chat") is in about
 *   one room in ten, the 1,000th in about 900 rooms and the 10,000th in about
 *   80; the shape that makes common and rare searches differ.
 * - A fifth of topics are written in one of nine other languages (short
 *   sentences of that language's common words), so language detection has
 *   something to find; a few rooms declare a language, as XMPP rooms can.
 * - Member counts are heavy-tailed (Pareto): most rooms are small, a few have
 *   tens of thousands of members.
 */
import type { Protocol, RoomSnapshot } from '../../crawler/types.ts';
import { rng } from './synthetic.ts';

/** Real words rooms are named after, most common first. */
const HEAD = [
  'chat', 'community', 'general', 'matrix', 'linux', 'offtopic', 'support', 'dev', 'help', 'news', 'music', 'gaming',
  'rust', 'python', 'open', 'source', 'free', 'software', 'privacy', 'security', 'selfhosted', 'art', 'books', 'science',
  'climate', 'politics', 'crypto', 'bitcoin', 'android', 'ios', 'web', 'javascript', 'typescript', 'golang', 'java',
  'kotlin', 'haskell', 'elixir', 'nix', 'nixos', 'arch', 'debian', 'fedora', 'ubuntu', 'gentoo', 'kde', 'gnome',
  'element', 'synapse', 'xmpp', 'prosody', 'ejabberd', 'conversations', 'fediverse', 'mastodon', 'lemmy', 'anime',
  'movies', 'photography', 'cooking', 'cycling', 'running', 'hiking', 'chess', 'go', 'math', 'physics', 'biology',
  'history', 'philosophy', 'language', 'learning', 'english', 'german', 'french', 'spanish', 'japanese', 'meetup',
  'berlin', 'paris', 'london', 'tokyo', 'hackerspace', 'maker', 'electronics', 'radio', 'ham', 'space', 'astronomy',
  'writing', 'poetry', 'design', 'ux', 'devops', 'kubernetes', 'docker', 'homelab', 'networking', 'vim', 'emacs',
  'lounge', 'hangout', 'café', 'random', 'memes', 'announcements', 'discussion', 'project', 'team', 'club', 'official',
] as const;

/** Short sentences per language (common words), for topics written in that language. */
const LANGUAGE_WORDS: Record<string, readonly string[]> = {
  de: ['der', 'die', 'und', 'ist', 'nicht', 'ein', 'für', 'wir', 'sich', 'mit', 'auch', 'über', 'diesen', 'Raum', 'willkommen', 'alle', 'hier', 'können', 'Fragen', 'Gemeinschaft', 'Austausch', 'Freunde', 'bitte', 'freundlich'],
  fr: ['le', 'la', 'les', 'et', 'est', 'pas', 'une', 'pour', 'nous', 'avec', 'aussi', 'sur', 'ce', 'salon', 'bienvenue', 'tous', 'ici', 'pouvez', 'questions', 'communauté', 'échanges', 'amis', "s'il", 'vous', 'plaît'],
  es: ['el', 'la', 'los', 'y', 'es', 'no', 'una', 'para', 'nosotros', 'con', 'también', 'sobre', 'esta', 'sala', 'bienvenidos', 'todos', 'aquí', 'pueden', 'preguntas', 'comunidad', 'amigos', 'por', 'favor', 'hablar'],
  pt: ['o', 'a', 'os', 'e', 'é', 'não', 'uma', 'para', 'nós', 'com', 'também', 'sobre', 'esta', 'sala', 'bem-vindos', 'todos', 'aqui', 'podem', 'perguntas', 'comunidade', 'amigos', 'você', 'conversa', 'então'],
  it: ['il', 'la', 'gli', 'e', 'è', 'non', 'una', 'per', 'noi', 'con', 'anche', 'questa', 'stanza', 'benvenuti', 'tutti', 'qui', 'potete', 'domande', 'comunità', 'amici', 'parlare', 'della', 'degli', 'sono'],
  nl: ['de', 'het', 'een', 'en', 'is', 'niet', 'voor', 'wij', 'met', 'ook', 'over', 'deze', 'kamer', 'welkom', 'allemaal', 'hier', 'kunnen', 'vragen', 'gemeenschap', 'vrienden', 'praten', 'gezellig', 'jullie', 'zijn'],
  pl: ['i', 'w', 'nie', 'na', 'się', 'jest', 'to', 'że', 'dla', 'pokój', 'witamy', 'wszystkich', 'tutaj', 'możecie', 'pytania', 'społeczność', 'przyjaciele', 'rozmawiać', 'proszę', 'jesteśmy', 'kanał', 'polski', 'czat', 'grupa'],
  ru: ['и', 'в', 'не', 'на', 'что', 'это', 'для', 'мы', 'с', 'также', 'о', 'эта', 'комната', 'добро', 'пожаловать', 'все', 'здесь', 'можете', 'вопросы', 'сообщество', 'друзья', 'общение', 'пожалуйста', 'русский'],
  ja: ['の', 'に', 'は', 'を', 'た', 'が', 'で', 'て', 'と', 'し', 'れ', 'さ', 'ある', 'いる', 'も', 'する', 'から', 'な', 'こと', 'として', 'い', 'や', 'れる', 'など', '部屋', 'ようこそ', '日本語', '質問', '雑談', 'コミュニティ'],
};
const LANGS = Object.keys(LANGUAGE_WORDS);

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'zo', 'vi', 'pe', 'su', 'ro', 'ba', 'de', 'fi', 'go', 'hu', 'ji', 'ky', 'lu', 'ma', 'no', 'qui', 'sa', 'te', 'wa', 'xe', 'yo', 'zu', 'bri', 'cla', 'dro', 'fle', 'gra', 'pla', 'stro', 'tri'];

/** The vocabulary: {@link HEAD} then pseudo-words, most common first. */
export function vocabulary(size: number): string[] {
  const words: string[] = [...HEAD];
  const seen = new Set(words);
  for (let i = 0; words.length < size; i++) {
    // Mixed-radix spelling of i over the syllables: unique, pronounceable, 2-4 syllables.
    let n = i;
    let w = '';
    do { w += SYLLABLES[n % SYLLABLES.length]; n = Math.floor(n / SYLLABLES.length); } while (n > 0);
    if (w.length < 4) w += SYLLABLES[(i * 7) % SYLLABLES.length];
    if (!seen.has(w)) { seen.add(w); words.push(w); }
  }
  return words;
}

/** Options of {@link syntheticRooms}. */
export interface SyntheticRoomsOptions {
  /** Rooms to generate. @default 1000 */
  rooms?: number;
  /** Rooms per server (servers are named `hs<N>.example.test` / `chat<N>.example.test`). @default 1000 */
  roomsPerServer?: number;
  /** Vocabulary size. @default 60000 */
  words?: number;
  /** PRNG seed. @default 1 */
  seed?: number;
  /** Observation time of every room. @default 2026-12-01 */
  observedAt?: Date;
  /** Pass id of every room. @default a fixed UUID */
  passId?: string;
}

/** A Zipf-Mandelbrot sampler (p(k) ~ 1 / (k + q)^s) over ranks 0..n-1, by inverse CDF on a table. */
function zipf(n: number, s: number, q: number, r: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) { sum += 1 / (k + q) ** s; cdf[k] = sum; }
  return () => {
    const x = r() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1; else hi = mid;
    }
    return lo;
  };
}

const title = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

/**
 * Yield rooms in batches of up to 10,000 (bounded memory at a million rooms).
 * The same options always yield the same rooms.
 */
export function* syntheticRooms(options: SyntheticRoomsOptions = {}): Generator<RoomSnapshot[]> {
  const total = options.rooms ?? 1000;
  const perServer = options.roomsPerServer ?? 1000;
  const r = rng(options.seed ?? 1);
  const vocab = vocabulary(options.words ?? 60_000);
  const word = zipf(vocab.length, 1.05, 10, r);
  const observedAt = options.observedAt ?? new Date('2026-12-01T00:00:00Z');
  const passId = options.passId ?? '00000000-0000-4000-a000-000000000014';
  let batch: RoomSnapshot[] = [];
  for (let i = 0; i < total; i++) {
    const s = Math.floor(i / perServer);
    const protocol: Protocol = s % 4 === 3 ? 'xmpp' : 'matrix';
    const server = protocol === 'matrix' ? `hs${s}.example.test` : `chat${s}.example.test`;
    const nameWords = Array.from({ length: 1 + Math.floor(r() * 3) }, () => vocab[word()]!);
    const name = nameWords.map(title).join(' ');
    const lang = r() < 0.2 ? LANGS[Math.floor(r() * LANGS.length)]! : 'en';
    let topic = '';
    if (r() < 0.7) {
      const length = 3 + Math.floor(r() * 18);
      const parts: string[] = [];
      for (let k = 0; k < length; k++) {
        const own = LANGUAGE_WORDS[lang];
        // Foreign topics are mostly that language's words, with some topic words mixed in (names, tech terms).
        parts.push(own && r() < 0.8 ? own[Math.floor(r() * own.length)]! : vocab[word()]!);
      }
      topic = parts.join(' ');
    }
    const local = `${nameWords.join('-')}-${i.toString(36)}`.toLowerCase();
    const members = Math.max(1, Math.floor(2 / (1 - r() * 0.99999) ** 0.9) - 1);
    const declared = protocol === 'xmpp' && r() < 0.3 ? lang : '';
    batch.push({
      passId, protocol,
      roomId: protocol === 'matrix' ? `!${i.toString(36)}r${s.toString(36)}:${server}` : `${local}@conference.${server}`,
      server,
      address: protocol === 'matrix' ? `#${local}:${server}` : `${local}@conference.${server}`,
      name, topic, members, avatarUrl: '', language: declared,
      worldReadable: protocol === 'matrix' ? i % 2 === 0 : null,
      guestCanJoin: protocol === 'matrix' ? i % 3 === 0 : null,
      joinRule: 'public', roomType: protocol === 'matrix' && i % 50 === 0 ? 'space' : 'room', children: [], observedAt,
    });
    if (batch.length === 10_000) { yield batch; batch = []; }
  }
  if (batch.length > 0) yield batch;
}
