/**
 * Deterministic synthetic ProbeResults for query tests and benchmarks: a
 * network of N servers with a realistic mix of software, versions,
 * registration modes, TLS states and rooms, probed over D days.
 *
 * This is a data generator, not a probe: tests of the crawler itself run
 * against the simulated federation and the real servers. The distributions
 * are rough shapes of the public networks (Synapse dominant on Matrix,
 * Prosody and ejabberd on XMPP), good enough to exercise every query path.
 */
import type { Observation, Protocol, ProbeResult, RegistrationMode, RoomSnapshot, ServerSnapshot, ServerStatus } from '../../crawler/types.ts';

/** A small fast seeded PRNG (mulberry32), so every run builds the same network. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, weighted: ReadonlyArray<readonly [T, number]>): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of weighted) {
    x -= w;
    if (x <= 0) return v;
  }
  return weighted[weighted.length - 1]![0];
}

const MATRIX_SOFTWARE = [['synapse', 70], ['conduwuit', 6], ['continuwuity', 5], ['tuwunel', 5], ['conduit', 6], ['dendrite', 6], ['unknown', 2]] as const;
const XMPP_SOFTWARE = [['prosody', 55], ['ejabberd', 28], ['snikket', 7], ['openfire', 5], ['tigase', 2], ['unknown', 3]] as const;
const VERSIONS: Record<string, readonly string[]> = {
  synapse: ['1.163.2', '1.162.0', '1.160.1', '1.150.0', '1.120.2'],
  dendrite: ['0.15.2', '0.14.1', '0.13.7'],
  conduit: ['0.10.9', '0.9.0'],
  conduwuit: ['0.4.6', '0.5.0'],
  continuwuity: ['0.5.0', '0.5.1'],
  tuwunel: ['1.4.0', '1.3.1'],
  prosody: ['13.0.6', '13.0.2', '0.12.5', '0.12.3', '0.11.9'],
  ejabberd: ['26.4.0', '25.10', '24.12', '23.01'],
  snikket: ['2025.09', '2024.10'],
  openfire: ['5.0.0', '4.9.2'],
  tigase: ['8.4.0'],
  unknown: [''],
};
const REGISTRATION: ReadonlyArray<readonly [RegistrationMode, number]> = [['closed', 55], ['open', 12], ['token', 8], ['email', 8], ['captcha', 5], ['sso', 6], ['advertised', 4], ['unknown', 2]];
const WORDS = ['general', 'linux', 'rust', 'python', 'music', 'gaming', 'offtopic', 'support', 'dev', 'art', 'news', 'privacy', 'selfhosted', 'matrix', 'xmpp', 'books', 'climate', 'science', 'français', 'deutsch', 'español', '日本語'];
const LANGS = ['en', 'en', 'en', 'de', 'fr', 'es', 'ja', ''] as const;

/** Options of {@link syntheticNetwork}. */
export interface SyntheticOptions {
  /** Servers in the network. @default 100 */
  servers?: number;
  /** Average public rooms per reachable server. @default 5 */
  roomsPerServer?: number;
  /** Days of history, one probe per server per day. @default 7 */
  days?: number;
  /** Observations (probe steps) per probe. @default 6 */
  stepsPerProbe?: number;
  /** Last day of history. @default now */
  end?: Date;
  /** PRNG seed. @default 1 */
  seed?: number;
  /** Rooms are listed only in the last this many days (large benches: 1e6 rooms without 3e7 room rows). @default days */
  roomDays?: number;
}

/** A synthetic server's stable traits. */
interface Trait {
  domain: string;
  protocol: Protocol;
  software: string;
  versionIndex: number;
  registration: RegistrationMode;
  rooms: number;
  flaky: number;
  ipv6: boolean;
  tlsDays: number;
}

function traits(opts: Required<SyntheticOptions>): Trait[] {
  const r = rng(opts.seed);
  const out: Trait[] = [];
  for (let i = 0; i < opts.servers; i++) {
    const protocol: Protocol = r() < 0.55 ? 'matrix' : 'xmpp';
    const software = pick(r, protocol === 'matrix' ? MATRIX_SOFTWARE : XMPP_SOFTWARE);
    out.push({
      domain: `${protocol === 'matrix' ? 'hs' : 'chat'}${i}.${['example', 'social', 'im', 'chat', 'org'][i % 5]}.test`,
      protocol,
      software,
      versionIndex: Math.floor(r() * VERSIONS[software]!.length),
      registration: pick(r, REGISTRATION),
      rooms: Math.floor(r() * opts.roomsPerServer * 2),
      flaky: r() < 0.1 ? 0.5 : 0.03,
      ipv6: r() < 0.45,
      tlsDays: r() < 0.05 ? -3 : r() < 0.08 ? 10 : 60,
    });
  }
  return out;
}

/**
 * Yield one day's ProbeResults at a time (bounded memory for large benches).
 * Each server is probed once a day; some fail; versions drift upward.
 */
export function* syntheticNetwork(options: SyntheticOptions = {}): Generator<ProbeResult[]> {
  const opts: Required<SyntheticOptions> = {
    servers: 100, roomsPerServer: 5, days: 7, stepsPerProbe: 6, end: new Date(), seed: 1, roomDays: options.days ?? 7, ...options,
  };
  const all = traits(opts);
  const r = rng(opts.seed + 7);
  for (let d = opts.days - 1; d >= 0; d--) {
    const dayStart = new Date(opts.end.getTime() - d * 86_400_000);
    const passId = uuidFrom(r);
    const batch: ProbeResult[] = [];
    for (const [i, t] of all.entries()) {
      const observedAt = new Date(dayStart.getTime() - Math.floor(r() * 3_600_000));
      const ok = r() > t.flaky;
      // Upgrades: a server moves one version newer with small daily probability.
      if (t.versionIndex > 0 && r() < 0.02) t.versionIndex--;
      const versionRaw = VERSIONS[t.software]![t.versionIndex] ?? '';
      const status: ServerStatus = ok ? 'ok' : 'unreachable';
      const listed: RoomSnapshot[] = ok ? roomsOf(t, i, passId, observedAt, r, d) : [];
      // Older days keep their counts but not their room rows when roomDays is short.
      const rooms = d < opts.roomDays ? listed : [];
      const snapshot: ServerSnapshot = {
        passId, domain: t.domain, protocol: t.protocol, observedAt, status,
        software: ok ? t.software : 'unknown',
        versionRaw: ok ? versionRaw : '', version: ok ? versionRaw : '',
        registration: ok ? t.registration : 'unknown',
        features: ok ? featuresOf(t) : [],
        specVersions: ok && t.protocol === 'matrix' ? ['v1.10', 'v1.11', 'v1.12'] : [],
        tls: ok ? {
          protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', issuer: "Let's Encrypt", subject: t.domain,
          validFrom: new Date(observedAt.getTime() - 30 * 86_400_000), validTo: new Date(observedAt.getTime() + t.tlsDays * 86_400_000),
          chainValid: t.tlsDays > 0, nameValid: true, error: t.tlsDays > 0 ? null : 'certificate has expired',
        } : null,
        dnssec: ok ? i % 7 === 0 : null, dane: ok ? i % 23 === 0 : null, ipv4: ok, ipv6: ok ? t.ipv6 : null,
        publicRooms: listed.length, publicMembers: listed.reduce((s, x) => s + x.members, 0),
        users: null, endpoint: `${t.domain}:${t.protocol === 'matrix' ? 8448 : 5222}`,
        error: ok ? '' : 'connect ETIMEDOUT', report: [],
      };
      const observations: Observation[] = [];
      for (let s = 0; s < opts.stepsPerProbe; s++) {
        const step = STEPS[t.protocol][s % STEPS[t.protocol].length]!;
        observations.push({
          passId, domain: t.domain, protocol: t.protocol, step, observedAt: new Date(observedAt.getTime() + s * 40),
          outcome: ok ? 'ok' : 'net.connect-timeout', durationMs: 20 + Math.floor(r() * 300),
          facts: ok ? { software: t.software, version: versionRaw, step } : {},
          raw: ok ? RAW[t.protocol].replace('%V', versionRaw) : '', error: ok ? '' : 'connect ETIMEDOUT',
        });
      }
      batch.push({ snapshot, observations, rooms, discoveries: d === opts.days - 1 ? [{ domain: t.domain, protocol: t.protocol, via: 'seed', sourceDomain: '', foundAt: observedAt }] : [] });
    }
    yield batch;
  }
}

const STEPS = {
  matrix: ['dns.srv', 'matrix.well-known-server', 'matrix.federation-version', 'matrix.client-versions', 'matrix.login', 'matrix.register', 'matrix.keys', 'matrix.public-rooms'],
  xmpp: ['dns.srv', 'xmpp.c2s-features', 'xmpp.starttls', 'xmpp.c2s-features-tls', 'xmpp.s2s-features', 'xmpp.version', 'xmpp.disco-info', 'xmpp.disco-items'],
} as const;
const RAW = {
  matrix: '{"server":{"name":"Synapse","version":"%V"}}',
  xmpp: "<iq type='result'><query xmlns='jabber:iq:version'><name>Prosody</name><version>%V</version><os>Linux</os></query></iq>",
} as const;

function featuresOf(t: Trait): string[] {
  return t.protocol === 'matrix'
    ? ['m.login.password', ...(t.registration === 'sso' ? ['m.login.sso'] : []), 'org.matrix.msc3575', 'org.matrix.e2e_cross_signing']
    : ['starttls', 'sasl:SCRAM-SHA-1', ...(t.software === 'prosody' ? ['urn:xmpp:mam:2', 'urn:xmpp:http:upload:0'] : ['urn:xmpp:mam:2']), ...(t.registration !== 'closed' ? ['register'] : [])];
}

function roomsOf(t: Trait, i: number, passId: string, observedAt: Date, r: () => number, daysAgo: number): RoomSnapshot[] {
  const rooms: RoomSnapshot[] = [];
  for (let k = 0; k < t.rooms; k++) {
    const word = WORDS[(i * 7 + k * 3) % WORDS.length]!;
    const base = 3 + ((i * 31 + k * 17) % 500);
    const members = Math.max(1, Math.round(base * (1 + (7 - daysAgo) * 0.01) + r() * 3));
    const isSpace = k === 0 && t.protocol === 'matrix' && i % 5 === 0;
    const local = `${word}${k}`;
    rooms.push({
      passId, protocol: t.protocol,
      roomId: t.protocol === 'matrix' ? `!${(i * 1000 + k).toString(36)}abc:${t.domain}` : `${local}@conference.${t.domain}`,
      server: t.domain,
      address: t.protocol === 'matrix' ? `#${local}:${t.domain}` : `${local}@conference.${t.domain}`,
      name: `${word[0]!.toUpperCase()}${word.slice(1)} ${k}`,
      topic: `A room about ${word} on ${t.domain}`,
      members, avatarUrl: '', language: LANGS[(i + k) % LANGS.length]!,
      worldReadable: t.protocol === 'matrix' ? k % 2 === 0 : null,
      guestCanJoin: t.protocol === 'matrix' ? k % 3 === 0 : null,
      joinRule: 'public', roomType: isSpace ? 'space' : 'room', children: [], observedAt,
    });
  }
  return rooms;
}

function uuidFrom(r: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
