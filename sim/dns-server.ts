/**
 * Authoritative DNS server for tests, on one loopback address, UDP and TCP
 * (dns-packet). Zones are plain objects and can change while it runs.
 * Test only: it answers whatever it holds and NXDOMAIN for the rest.
 *
 * @example
 * const dns = await startDnsServer({ host: '127.10.0.53', zones: {
 *   'example.test': { A: ['127.10.0.2'], SRV: [] },
 *   '_xmpp-client._tcp.example.test': { SRV: [{ priority: 0, weight: 5, port: 5222, target: 'xmpp.example.test' }] },
 * } });
 * const config = loadCrawlConfig({ env: { CHATLAS_DNS: dns.address } });
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Question } from 'dns-packet';

/** Records of one name. */
export interface ZoneRecords {
  A?: string[];
  AAAA?: string[];
  SRV?: Array<{ priority: number; weight: number; port: number; target: string }>;
  TXT?: string[];
  TLSA?: Array<{ usage: number; selector: number; matchingType: number; data: string /* hex */ }>;
  /** An alias: the server answers the CNAME (and the target's records when it holds them). */
  CNAME?: string;
}

/** Name → records. Names are case-insensitive, without the final dot. */
export type Zones = Record<string, ZoneRecords>;

/**
 * Misbehaviours, per name:
 * - `timeout`: never answer;
 * - `servfail` / `refused`: that response code;
 * - `truncated`: UDP replies carry TC and no answers (TCP answers fully);
 * - `garbage`: UDP replies are our id followed by junk;
 * - `spoof`: first a reply with the wrong id (pointing to 127.66.0.5), then the real one.
 */
export type DnsFault = 'timeout' | 'servfail' | 'refused' | 'truncated' | 'garbage' | 'spoof';

/** One question the server received. */
export interface LoggedQuery {
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
  at: Date;
}

export interface DnsServerOptions {
  /** Loopback address to bind, e.g. `127.10.0.53`. */
  host: string;
  /** Port, 0 for any. @default 0 */
  port?: number;
  zones?: Zones;
  /** Set the AD bit on answers (as a validating resolver would). @default false */
  authenticated?: boolean;
  /** TTL of every record. @default 0 */
  ttl?: number;
}

export interface DnsServer {
  /** `host:port`, ready for `CHATLAS_DNS`. */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  readonly queries: LoggedQuery[];
  /** Replace the records of `name`. */
  set(name: string, records: ZoneRecords): void;
  remove(name: string): void;
  /** Set or clear (`null`) a fault for `name`, for every type or only `type` (e.g. `AAAA`). */
  fault(name: string, fault: DnsFault | null, type?: string): void;
  setAuthenticated(ad: boolean): void;
  close(): Promise<void>;
}

const key = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/** Start a server; resolves once both UDP and TCP listen. */
export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const zones = new Map<string, ZoneRecords>(Object.entries(options.zones ?? {}).map(([n, r]) => [key(n), r]));
  const faults = new Map<string, DnsFault>();
  const queries: LoggedQuery[] = [];
  let authenticated = options.authenticated ?? false;
  const ttl = options.ttl ?? 0;

  const faultOf = (name: string, type: string): DnsFault | undefined => faults.get(`${key(name)}|${type}`) ?? faults.get(key(name));

  function recordsOf(name: string, type: string): Answer[] {
    const z = zones.get(key(name));
    if (!z) return [];
    const base = { name: key(name), ttl, class: 'IN' as const };
    switch (type) {
      case 'A': return (z.A ?? []).map((data) => ({ ...base, type: 'A', data }));
      case 'AAAA': return (z.AAAA ?? []).map((data) => ({ ...base, type: 'AAAA', data }));
      case 'SRV': return (z.SRV ?? []).map((data) => ({ ...base, type: 'SRV', data }));
      case 'TXT': return (z.TXT ?? []).map((data) => ({ ...base, type: 'TXT', data: [data] }));
      case 'TLSA': return (z.TLSA ?? []).map((t) => ({
        ...base, type: 'TLSA', data: { usage: t.usage, selector: t.selector, matchingType: t.matchingType, certificate: Buffer.from(t.data, 'hex') },
      }));
      case 'CNAME': return z.CNAME ? [{ ...base, type: 'CNAME', data: key(z.CNAME) }] : [];
      default: return [];
    }
  }

  /** Build the reply; `null` means stay silent. */
  function answer(query: DecodedPacket, transport: 'udp' | 'tcp'): Buffer | null {
    const q: Question | undefined = query.questions?.[0];
    if (!q) return null;
    queries.push({ name: key(q.name), type: q.type, transport, at: new Date() });
    const fault = faultOf(q.name, q.type);
    if (fault === 'timeout') return null;
    const flags = (authenticated ? dnsPacket.AUTHENTIC_DATA : 0) | dnsPacket.AUTHORITATIVE_ANSWER | (query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0);
    const reply = (rcode: number, answers: Answer[], extra = 0): Buffer =>
      dnsPacket.encode({ type: 'response', id: query.id, flags: flags | extra | rcode, questions: [q], answers });
    if (fault === 'servfail') return reply(2, []);
    if (fault === 'refused') return reply(5, []);
    if (fault === 'garbage' && transport === 'udp') {
      const junk = Buffer.from('\xff\xff\xff\xff\x00\x01garbage-not-dns\xc0\xff', 'latin1');
      const out = Buffer.alloc(2 + junk.length);
      out.writeUInt16BE(query.id ?? 0, 0);
      junk.copy(out, 2);
      return out;
    }
    if (fault === 'truncated' && transport === 'udp') return reply(0, [], dnsPacket.TRUNCATED_RESPONSE);
    // Follow CNAMEs inside our own zones, as an authoritative server does (RFC 1034 §4.3.2).
    const answers: Answer[] = [];
    let name = key(q.name);
    for (let hop = 0; hop < 10; hop++) {
      const z = zones.get(name);
      if (z?.CNAME && q.type !== 'CNAME') {
        answers.push(...recordsOf(name, 'CNAME'));
        name = key(z.CNAME);
        continue;
      }
      answers.push(...recordsOf(name, q.type));
      break;
    }
    const exists = zones.has(name) || answers.length > 0;
    return reply(exists ? 0 : 3, answers);
  }

  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const out = answer(query, 'udp');
    if (!out) return;
    if (faultOf(query.questions?.[0]?.name ?? '', query.questions?.[0]?.type ?? '') === 'spoof') {
      const fake = dnsPacket.encode({
        type: 'response', id: ((query.id ?? 0) + 1) & 0xffff, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: query.questions,
        answers: [{ name: query.questions?.[0]?.name ?? '', type: 'A', ttl: 0, data: '127.66.0.5' }],
      });
      udp.send(fake, rinfo.port, rinfo.address);
    }
    udp.send(out, rinfo.port, rinfo.address);
  });
  udp.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(options.port ?? 0, options.host, () => resolve());
  });
  const port = udp.address().port;

  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length > 70_000) return socket.destroy();
      while (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
        const length = buffer.readUInt16BE(0);
        const msg = buffer.subarray(2, 2 + length);
        buffer = buffer.subarray(2 + length);
        let query: DecodedPacket;
        try {
          query = dnsPacket.decode(msg);
        } catch {
          return socket.destroy();
        }
        const out = answer(query, 'tcp');
        if (!out) continue;
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(out.length);
        socket.write(Buffer.concat([prefix, out]));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, options.host, () => resolve());
  });

  return {
    address: `${options.host}:${port}`,
    host: options.host,
    port,
    queries,
    set: (name, records) => void zones.set(key(name), records),
    remove: (name) => void zones.delete(key(name)),
    fault: (name, fault, type) => {
      const k = type ? `${key(name)}|${type.toUpperCase()}` : key(name);
      if (fault === null) faults.delete(k);
      else faults.set(k, fault);
    },
    setAuthenticated: (ad) => void (authenticated = ad),
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}
