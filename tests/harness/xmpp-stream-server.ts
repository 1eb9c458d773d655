/**
 * Simulated XMPP stream servers for integration tests (test only). Each
 * listens on its own 127.30.x address and, when a client opens a stream,
 * answers with bytes recorded from a REAL server (tests/fixtures/*, see their
 * SOURCE.md) or with a hostile behaviour. STARTTLS is real TLS with a test-CA
 * certificate. No XML parsing here on purpose: the fake answers by
 * recognising what the client sent, as a replay should.
 */
import net from 'node:net';
import tls from 'node:tls';

/** What the server does once a stream header arrives. */
export type StreamBehaviour =
  /** Replay: `preTls` after the first header, `<proceed/>` on STARTTLS, `postTls` after the restart, `register` on a register get. */
  | { kind: 'replay'; preTls: string; postTls: string; register?: string }
  /** Send these bytes after the first header, then stay silent (hostile files). */
  | { kind: 'bytes'; data: string }
  /** Accept the connection, never send anything. */
  | { kind: 'silent' }
  /** Send `data` one byte every `intervalMs` (slowloris). */
  | { kind: 'trickle'; data: string; intervalMs: number }
  /** Send a header then `size` bytes of one endless text node. */
  | { kind: 'flood'; header: string; size: number };

export interface StreamServerOptions {
  host: string;
  port: number;
  behaviour: StreamBehaviour;
  /** Certificate for STARTTLS (replay). */
  tls?: { certPem: string; keyPem: string };
}

export interface StreamServer {
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Text received from clients (all connections), for assertions on what was sent. */
  readonly received: string[];
  close(): Promise<void>;
}

/** Start one simulated stream server. */
export async function startStreamServer(opts: StreamServerOptions): Promise<StreamServer> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<ReturnType<typeof setInterval>>();
  const received: string[] = [];
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    serve(socket, opts, received, timers, sockets);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    host: opts.host,
    port: opts.port,
    get connections() {
      return connections;
    },
    received,
    async close() {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serve(socket: net.Socket | tls.TLSSocket, opts: StreamServerOptions, received: string[], timers: Set<ReturnType<typeof setInterval>>, sockets: Set<net.Socket>, secured = false): void {
  let buffer = '';
  let headers = 0;
  const b = opts.behaviour;
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    received.push(text);
    buffer += text;
    if (/<stream:stream[^>]*>/.test(buffer) && headers === 0) {
      headers++;
      buffer = buffer.replace(/^[^]*?<stream:stream[^>]*>/, '');
      if (b.kind === 'replay') socket.write(secured ? b.postTls : b.preTls);
      else if (b.kind === 'bytes') socket.write(b.data);
      else if (b.kind === 'flood') {
        socket.write(`${b.header}<stream:features><x xmlns='urn:flood'>`);
        const block = 'a'.repeat(16 * 1024);
        let sent = 0;
        const pump = (): void => {
          while (sent < b.size && !socket.destroyed) {
            sent += block.length;
            if (!socket.write(block)) {
              socket.once('drain', pump);
              return;
            }
          }
        };
        pump();
      } else if (b.kind === 'trickle') {
        let i = 0;
        const t = setInterval(() => {
          if (i >= b.data.length || socket.destroyed) {
            clearInterval(t);
            timers.delete(t);
            return;
          }
          socket.write(b.data[i++] ?? '');
        }, b.intervalMs);
        timers.add(t);
      }
    }
    if (b.kind !== 'replay') return;
    if (!secured && /<starttls/.test(buffer) && opts.tls) {
      buffer = '';
      socket.off('data', onData);
      socket.write("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", () => {
        const secure = new tls.TLSSocket(socket, { isServer: true, key: opts.tls!.keyPem, cert: opts.tls!.certPem });
        secure.on('error', () => {});
        sockets.add(secure as unknown as net.Socket);
        serve(secure, opts, received, timers, sockets, true);
      });
      return;
    }
    if (secured && b.register && /<iq[^>]*type='get'[^>]*>\s*<query xmlns='jabber:iq:register'/.test(buffer)) {
      buffer = '';
      socket.write(b.register);
    }
    if (/<\/stream:stream>/.test(buffer)) socket.end('</stream:stream>');
  };
  socket.on('data', onData);
}
