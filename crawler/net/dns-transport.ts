/**
 * One DNS question to one resolver, over UDP or TCP (RFC 1035 §4.2; TCP
 * framing with a two-byte length, RFC 7766 §8). Replies are checked against
 * the query before they are believed: same id, QR set, same question
 * (RFC 5452 §9.1, anti-spoofing); anything else is ignored and the wait goes
 * on until the deadline. Sockets use a literal-only `lookup`, so Node's
 * resolver is never consulted.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { LookupAddress } from 'node:dns';
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { DecodedPacket, Question, RecordType } from 'dns-packet';
import { ProbeError } from '../errors.ts';
import type { ResolverAddress } from '../config.ts';
import { withDeadline } from './deadline.ts';

/** EDNS(0) UDP payload size we advertise (DNS flag day 2020 recommendation). */
export const EDNS_UDP_SIZE = 1232;
/** Largest DNS message over TCP (the length prefix is 16 bits). */
const MAX_TCP_MESSAGE = 65_535;

/** A decoded reply with its response code. */
export type DnsReply = DecodedPacket & { rcode: string };

/** Resolve only IP literals: resolver addresses never need a lookup. */
export function literalOnlyLookup(
  hostname: string,
  options: unknown,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  const family = net.isIP(hostname);
  if (family === 0) {
    callback(Object.assign(new Error(`refusing to resolve ${JSON.stringify(hostname)} with the system resolver`), { code: 'ENOTFOUND' }), '', 0);
    return;
  }
  if ((options as { all?: boolean } | undefined)?.all) callback(null, [{ address: hostname, family }]);
  else callback(null, hostname, family);
}

/** Build a query packet: RD (we ask a recursive resolver) and AD (RFC 6840 §5.7: report DNSSEC validation) set. */
export function buildQuery(name: string, type: RecordType): { id: number; question: Question; bytes: Buffer } {
  const id = randomInt(0, 65_536);
  const question: Question = { type, name, class: 'IN' };
  const bytes = dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA,
    questions: [question],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP_SIZE, flags: 0 } as never],
  });
  return { id, question, bytes };
}

/** True when `reply` answers exactly our query (id, QR bit and question). */
export function matchesQuery(reply: DecodedPacket, id: number, question: Question): boolean {
  if (reply.id !== id || !reply.flag_qr) return false;
  const q = reply.questions?.[0];
  if (!q || reply.questions?.length !== 1) return false;
  return q.type === question.type && (q.class ?? 'IN') === 'IN' && q.name.toLowerCase() === question.name.toLowerCase();
}

function tryDecode(bytes: Buffer): DnsReply | null {
  try {
    return dnsPacket.decode(bytes) as DnsReply;
  } catch {
    return null;
  }
}

const where = (s: ResolverAddress): string => (s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`);

/**
 * Ask over UDP. Resolves with the checked reply (possibly truncated: the
 * caller retries over TCP). Spoofed or foreign datagrams are ignored.
 * @throws {ProbeError} `dns.timeout`, `dns.unreachable`, `dns.malformed`.
 */
export function exchangeUdp(
  server: ResolverAddress, query: { id: number; question: Question; bytes: Buffer }, timeoutMs: number, signal?: AbortSignal,
): Promise<DnsReply> {
  return withDeadline((abort) => new Promise<DnsReply>((resolve, reject) => {
    const socket = dgram.createSocket({ type: net.isIPv6(server.host) ? 'udp6' : 'udp4', lookup: literalOnlyLookup as never });
    const done = (): void => {
      abort.removeEventListener('abort', onAbort);
      socket.removeAllListeners('message');
      socket.on('error', () => {});
      try { socket.close(); } catch { /* already closed */ }
    };
    const onAbort = (): void => { done(); reject(abort.reason); };
    abort.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      done();
      reject(new ProbeError('dns.unreachable', `resolver ${where(server)}: ${error.code ?? error.message}`, { cause: error }));
    });
    socket.on('message', (msg, rinfo) => {
      // A connected UDP socket only delivers datagrams from its peer, but check anyway
      // (against the kernel's form of the address, so `2001:0db8::53` compares right).
      let peer: { address: string; port: number };
      try {
        peer = socket.remoteAddress();
      } catch {
        return; // not connected (yet): not from our resolver
      }
      if (rinfo.address !== peer.address || rinfo.port !== peer.port || msg.length < 12) return;
      const reply = tryDecode(msg);
      if (reply === null) {
        // Undecodable bytes that carry our id come from the resolver we asked: a broken server.
        if (msg.readUInt16BE(0) === query.id) {
          done();
          reject(new ProbeError('dns.malformed', `resolver ${where(server)} sent an undecodable reply`));
        }
        return;
      }
      if (!matchesQuery(reply, query.id, query.question)) return;
      done();
      resolve(reply);
    });
    socket.connect(server.port, server.host, () => {
      socket.send(query.bytes, (error) => {
        if (error) socket.emit('error', error);
      });
    });
  }), timeoutMs, 'dns.timeout', signal);
}

/**
 * Ask over TCP (after a truncated UDP reply). Reads one length-prefixed message.
 * @throws {ProbeError} `dns.timeout`, `dns.unreachable`, `dns.malformed`.
 */
export function exchangeTcp(
  server: ResolverAddress, query: { id: number; question: Question; bytes: Buffer }, timeoutMs: number, signal?: AbortSignal,
): Promise<DnsReply> {
  return withDeadline((abort) => new Promise<DnsReply>((resolve, reject) => {
    const socket = net.connect({ host: server.host, port: server.port, lookup: literalOnlyLookup as never });
    const chunks: Buffer[] = [];
    let received = 0;
    const done = (): void => {
      abort.removeEventListener('abort', onAbort);
      socket.removeAllListeners('data');
      socket.on('error', () => {});
      socket.destroy();
    };
    const fail = (error: ProbeError): void => { done(); reject(error); };
    const onAbort = (): void => fail(abort.reason as ProbeError);
    abort.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      fail(new ProbeError('dns.unreachable', `resolver ${where(server)} (tcp): ${error.code ?? error.message}`, { cause: error })));
    socket.on('end', () => fail(new ProbeError('dns.malformed', `resolver ${where(server)} (tcp) closed before a full reply`)));
    socket.on('connect', () => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(query.bytes.length);
      socket.write(Buffer.concat([prefix, query.bytes]));
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      // The prefix bounds a message to 64 KiB; never buffer more than one message.
      if (received > MAX_TCP_MESSAGE + 2) return fail(new ProbeError('dns.malformed', 'TCP reply longer than its length prefix'));
      chunks.push(chunk);
      const all = Buffer.concat(chunks);
      if (all.length < 2) return;
      const length = all.readUInt16BE(0);
      if (all.length < 2 + length) return;
      const reply = length >= 12 ? tryDecode(all.subarray(2, 2 + length)) : null;
      if (reply === null) return fail(new ProbeError('dns.malformed', `resolver ${where(server)} (tcp) sent an undecodable reply`));
      // Over TCP a mismatching reply cannot be a blind spoof: the stream is broken.
      if (!matchesQuery(reply, query.id, query.question)) {
        return fail(new ProbeError('dns.malformed', `resolver ${where(server)} (tcp) answered another question`));
      }
      done();
      resolve(reply);
    });
  }), timeoutMs, 'dns.timeout', signal);
}
