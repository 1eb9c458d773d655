/**
 * Simulated XMPP stream endpoint for the simulated federation and the XMPP
 * probe benchmark (TEST, DEMO AND BENCH ONLY). It replays bytes captured from
 * real servers (see sim/sim-xmpp-replies.ts for where each comes
 * from), like tests/harness/xmpp-stream-server.ts, and adds what that one has
 * no hook for:
 * - direct TLS (XEP-0368): TLS from the first byte, ALPN `xmpp-client` /
 *   `xmpp-server`, then the post-TLS features;
 * - injected round-trip time: the accept is held `rttMs` (a TCP handshake's
 *   round trip) and every byte the server writes, TLS handshake flights
 *   included, leaves `rttMs` later;
 * - many endpoints in one process, all sharing one TLS context.
 *
 * Like the replay it copies, it answers by recognising what the client sent
 * and parses no XML.
 */
import { Duplex } from 'node:stream';
import net from 'node:net';
import tls from 'node:tls';

/** What one endpoint says. */
export interface ReplayScript {
  /** Header + features sent after the first stream header (STARTTLS endpoints). */
  preTls: string;
  /** Header + features sent after the stream restart on TLS (or the first header on direct TLS). */
  postTls: string;
  /** Reply to an unauthenticated `jabber:iq:register` get, when the server answers one. */
  register?: string;
}

export interface SimStreamEndpointOptions {
  host: string;
  port: number;
  script: ReplayScript;
  tls: { certPem: string; keyPem: string } | { secureContext: tls.SecureContext };
  /** TLS from the first byte (XEP-0368) instead of STARTTLS. @default false */
  directTls?: boolean;
  /** Injected round-trip time in ms (accept + each server write). @default 0 */
  rttMs?: number;
}

export interface SimStreamEndpoint {
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** A duplex over a socket that holds reads until `holdMs` after accept and delays every write by `delayMs`. */
class DelayedSocket extends Duplex {
  readonly #raw: net.Socket;
  readonly #delayMs: number;
  #held = true;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(raw: net.Socket, delayMs: number) {
    super();
    this.#raw = raw;
    this.#delayMs = delayMs;
    raw.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) raw.pause();
    });
    raw.on('end', () => this.push(null));
    raw.on('close', () => this.destroy());
    raw.on('error', (e) => this.destroy(e));
    raw.pause();
    this.#later(() => {
      this.#held = false;
      raw.resume();
    });
  }

  #later(fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, this.#delayMs);
    this.#timers.add(t);
  }

  override _read(): void {
    if (!this.#held) this.#raw.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (error?: Error | null) => void): void {
    this.#later(() => {
      if (!this.#raw.destroyed) this.#raw.write(chunk);
    });
    cb();
  }

  override _final(cb: (error?: Error | null) => void): void {
    this.#later(() => this.#raw.end());
    cb();
  }

  override _destroy(error: Error | null, cb: (error?: Error | null) => void): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#raw.destroy();
    cb(error);
  }
}

const PROCEED = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";

/** Start one endpoint. */
export async function startSimStreamEndpoint(opts: SimStreamEndpointOptions): Promise<SimStreamEndpoint> {
  const rtt = opts.rttMs ?? 0;
  const sockets = new Set<Duplex>();
  let connections = 0;
  // Many endpoints can share one context (the benchmark runs thousands).
  const secureContext = 'secureContext' in opts.tls ? opts.tls.secureContext : tls.createSecureContext({ cert: opts.tls.certPem, key: opts.tls.keyPem });
  const track = (s: Duplex): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  };
  const secure = (s: Duplex): tls.TLSSocket => {
    const t = new tls.TLSSocket(s as net.Socket, { isServer: true, secureContext, ALPNProtocols: ['xmpp-client', 'xmpp-server'] });
    track(t);
    return t;
  };
  const server = net.createServer((raw) => {
    connections++;
    track(raw);
    const base: Duplex = rtt > 0 ? new DelayedSocket(raw, rtt) : raw;
    if (base !== raw) track(base);
    if (opts.directTls) converse(secure(base), true);
    else converse(base, false);
  });

  function converse(socket: Duplex, secured: boolean): void {
    let buffer = '';
    let answered = false;
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('utf8');
      if (buffer.length > 64 * 1024) {
        socket.destroy();
        return;
      }
      if (!answered && /<stream:stream[^>]*>/.test(buffer)) {
        answered = true;
        buffer = buffer.replace(/^[^]*?<stream:stream[^>]*>/, '');
        socket.write(secured ? opts.script.postTls : opts.script.preTls);
      }
      if (!secured && /<starttls[^>]*\/>/.test(buffer)) {
        socket.off('data', onData);
        socket.write(PROCEED);
        converse(secure(socket), true);
        return;
      }
      if (secured && /<iq[^>]*type='get'[^>]*>\s*<query xmlns='jabber:iq:register'/.test(buffer)) {
        buffer = '';
        if (opts.script.register) socket.write(opts.script.register);
      }
      if (/<\/stream:stream>/.test(buffer)) socket.end('</stream:stream>');
    };
    socket.on('data', onData);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: opts.port, host: opts.host, backlog: 511 }, () => resolve());
  });
  return {
    host: opts.host,
    port: opts.port,
    get connections() {
      return connections;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
