/**
 * One XMPP stream over TCP (RFC 6120 §4), opened through the guarded
 * connect of the NetContext: STARTTLS (§5) or direct TLS (XEP-0368 "SRV
 * records for XMPP over TLS" 1.1.0: SNI = the XMPP domain, ALPN
 * `xmpp-client` / `xmpp-server`). It moves bytes and hands out elements
 * parsed by the restricted parser; it never interprets them (probe/ does).
 *
 * Limits: every wait runs under `withDeadline` (a peer that trickles one
 * byte a second still hits the deadline of the wait, not an idle timer), the
 * bytes of all stream restarts together are capped, and the raw transcript
 * kept for the Observation is capped separately.
 */
import type net from 'node:net';
import tls from 'node:tls';
import { ProbeError } from '../errors.ts';
import type { TlsFacts } from '../types.ts';
import type { NetContext } from './context.ts';
import { withDeadline } from './deadline.ts';
import { tlsClientOptions, tlsFactsFromSocket } from './tls-inspect.ts';
import { toProbeError } from './to-probe-error.ts';
import type { BudgetTicket } from './request-budget.ts';
import { DEFAULT_XML_LIMITS, XmppStreamParser } from '../protocol/restricted-xml.ts';
import { escapeXml, type XmlElement } from '../protocol/xmpp-element.ts';
import { NS_STREAM, NS_TLS, isStreamError, parseStreamError } from '../protocol/rfc6120-features.ts';

/** Options of {@link XmppStream.open}. */
export interface XmppStreamOptions {
  /** Address or host name to connect to (an SRV target, or the domain). */
  host: string;
  port: number;
  /** The XMPP domain: the stream `to`, the TLS SNI and the name the certificate must carry. */
  domain: string;
  /** `c2s` (`jabber:client`) or `s2s` (`jabber:server`). */
  mode: 'c2s' | 's2s';
  /** TLS from the first byte (XEP-0368) instead of STARTTLS. @default false */
  directTls?: boolean;
  /** s2s `from` attribute; omitted when ''. @default '' */
  from?: string;
  /** Deadline of each wait (connect excepted, see config.connectTimeoutMs). @default config.stepTimeoutMs */
  waitMs?: number;
  /** Bytes accepted over the whole connection, all restarts included. @default config.maxBodyBytes */
  maxBytes?: number;
  /** Characters of one top-level stanza. @default 262144 (DEFAULT_XML_LIMITS.maxStanzaBytes) */
  maxStanzaBytes?: number;
  /** Characters of raw transcript kept. @default 65536 */
  maxRawChars?: number;
  signal?: AbortSignal;
  /** The probe's budget for this step: the connection is one request (crawler/net/request-budget.ts). */
  budget?: BudgetTicket;
}

const NS_CLIENT = 'jabber:client';
const NS_SERVER = 'jabber:server';

type StreamOpts = Required<Omit<XmppStreamOptions, 'signal' | 'budget'>> & { signal?: AbortSignal; budget?: BudgetTicket };

/**
 * An open stream. Create with {@link XmppStream.open}; always `close()`.
 * @example
 * const s = await XmppStream.open(ctx, { host, port: 5222, domain, mode: 'c2s' });
 * try { const { features } = await s.start(); … } finally { s.close(); }
 */
export class XmppStream {
  readonly domain: string;
  readonly mode: 'c2s' | 's2s';
  readonly #ctx: NetContext;
  readonly #opts: StreamOpts;
  #socket: net.Socket | tls.TLSSocket;
  #parser: XmppStreamParser;
  /** Complete stanzas not yet taken by a reader. */
  readonly #queue: XmlElement[] = [];
  /** Sees every stanza first; a `true` return consumes it (not queued). */
  #intercept: ((el: XmlElement) => boolean) | null = null;
  /** Called once when the stream dies (sessions reject their pending requests). */
  readonly #onFatal: ((error: ProbeError) => void)[] = [];
  /** Wakes the one pending reader of `next` (sequential by design; concurrent users intercept). */
  #wake: (() => void) | null = null;
  /** First fatal condition (parse error, stream error, close); every later wait gets it. */
  #fatal: ProbeError | null = null;
  #bytes = 0;
  #raw = '';
  #header: XmlElement | null = null;
  #tls: TlsFacts | null = null;
  #remoteAddress = '';
  readonly #onData = (chunk: Buffer): void => this.#receive(chunk);
  readonly #onEnd = (): void => this.#die(new ProbeError('net.reset', 'the server closed the connection'));
  readonly #onError = (error: Error): void => this.#die(toProbeError(error, 'net.reset'));

  private constructor(ctx: NetContext, opts: StreamOpts, socket: net.Socket | tls.TLSSocket) {
    this.#ctx = ctx;
    this.#opts = opts;
    this.domain = opts.domain;
    this.mode = opts.mode;
    this.#socket = socket;
    this.#parser = this.#newParser();
    this.#remoteAddress = socket.remoteAddress ?? '';
    this.#attach(socket);
  }

  /**
   * Connect (guarded; the connected address is checked) and, for direct TLS,
   * complete the handshake. No stream bytes are sent yet.
   * @throws {ProbeError} `net.*`, `dns.*`, `tls.*`
   */
  static async open(ctx: NetContext, options: XmppStreamOptions): Promise<XmppStream> {
    const opts = {
      directTls: false,
      from: '',
      waitMs: ctx.config.stepTimeoutMs,
      maxBytes: ctx.config.maxBodyBytes,
      maxRawChars: 65536,
      maxStanzaBytes: DEFAULT_XML_LIMITS.maxStanzaBytes,
      ...options,
    };
    const plain = await ctx.connect({ host: opts.host, port: opts.port, signal: opts.signal, ...(opts.budget ? { budget: opts.budget } : {}) });
    if (!opts.directTls) return new XmppStream(ctx, opts, plain);
    const alpn = opts.mode === 'c2s' ? 'xmpp-client' : 'xmpp-server';
    const { socket, facts } = await upgrade(ctx, plain, opts.domain, [alpn], opts.signal);
    const stream = new XmppStream(ctx, opts, socket);
    stream.#tls = facts;
    return stream;
  }

  /** TLS facts once TLS is up (direct or STARTTLS), else null. */
  get tls(): TlsFacts | null {
    return this.#tls;
  }

  /** The stream header of the current stream, null before it arrives. */
  get header(): XmlElement | null {
    return this.#header;
  }

  /** The content namespace the server declared (`jabber:client` / `jabber:server`). */
  get contentNamespace(): string {
    return this.#parser.contentNamespace;
  }

  /** Bounded raw text received so far (all restarts). */
  get raw(): string {
    return this.#raw;
  }

  /** Bytes received so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Handle stanzas as they arrive instead of queueing them (a long-lived
   * session answers requests and drops unsolicited traffic this way).
   */
  intercept(fn: ((el: XmlElement) => boolean) | null): void {
    this.#intercept = fn;
  }

  /** Run `fn` when the stream fails or closes (at once if it already has). */
  onFatal(fn: (error: ProbeError) => void): void {
    if (this.#fatal) fn(this.#fatal);
    else this.#onFatal.push(fn);
  }

  /** False once the stream failed or was closed. */
  get alive(): boolean {
    return this.#fatal === null;
  }

  /** Let the process exit while this stream is idle (long-lived observer session). */
  unref(): void {
    this.#socket.unref();
  }

  /** The peer address connected to. */
  get remoteAddress(): string {
    return this.#remoteAddress;
  }

  /**
   * Send a stream header (RFC 6120 §4.7) and wait for the server's header and
   * `<stream:features/>`. Used for the first stream and every restart.
   * @throws {ProbeError} `xmpp.timeout`, `xmpp.stream-error`, `xml.*`, `net.reset`
   */
  async start(): Promise<{ header: XmlElement; features: XmlElement }> {
    const ns = this.mode === 'c2s' ? NS_CLIENT : NS_SERVER;
    const from = this.#opts.from ? ` from='${escapeXml(this.#opts.from)}'` : '';
    const db = this.mode === 's2s' ? " xmlns:db='jabber:server:dialback'" : '';
    this.send(`<?xml version='1.0'?><stream:stream to='${escapeXml(this.domain)}'${from} version='1.0' xml:lang='en' xmlns='${ns}'${db} xmlns:stream='${NS_STREAM}'>`);
    const features = await this.next((el) => el.local === 'features' && el.ns === NS_STREAM, 'stream features');
    if (!this.#header) throw new ProbeError('xml.malformed', 'features without a stream header');
    return { header: this.#header, features };
  }

  /**
   * Negotiate STARTTLS (RFC 6120 §5.4): `<starttls/>`, `<proceed/>`, handshake
   * with SNI = domain. Restart with {@link start} afterwards.
   * @throws {ProbeError} `xmpp.no-starttls` on `<failure/>`, `tls.*`, `xmpp.timeout`
   */
  async starttls(): Promise<TlsFacts> {
    this.send(`<starttls xmlns='${NS_TLS}'/>`);
    const answer = await this.next((el) => el.ns === NS_TLS, 'STARTTLS answer');
    if (answer.local !== 'proceed') throw new ProbeError('xmpp.no-starttls', `STARTTLS refused: <${answer.local}/>`);
    this.#detach(this.#socket);
    const { socket, facts } = await upgrade(this.#ctx, this.#socket as net.Socket, this.domain, undefined, this.#opts.signal);
    this.#socket = socket;
    this.#attach(socket);
    this.#tls = facts;
    this.resetParser();
    return facts;
  }

  /** Start a fresh parser (after TLS or SASL success the server opens a new stream). */
  resetParser(): void {
    this.#parser = this.#newParser();
    this.#header = null;
    this.#queue.length = 0;
  }

  /** Send raw XML. The caller builds it with escaping (xmpp-element `escapeXml`). */
  send(xml: string): void {
    if (this.#fatal) return;
    this.#socket.write(xml);
  }

  /**
   * The next stanza matching `match` (others are dropped), within the wait
   * deadline. A `<stream:error/>` or the end of the stream ends the wait.
   * @throws {ProbeError} `xmpp.timeout`, `xmpp.stream-error`, `xml.*`, `xmpp.too-large`, `net.reset`
   */
  next(match: (el: XmlElement) => boolean = () => true, what = 'a stanza', waitMs = this.#opts.waitMs): Promise<XmlElement> {
    return withDeadline(
      (signal) =>
        new Promise<XmlElement>((resolve, reject) => {
          const take = (): boolean => {
            while (this.#queue.length > 0) {
              const el = this.#queue.shift() as XmlElement;
              if (isStreamError(el)) {
                const e = parseStreamError(el);
                reject(new ProbeError('xmpp.stream-error', `stream error <${e.condition}/>${e.text ? `: ${e.text}` : ''}`));
                return true;
              }
              if (match(el)) {
                resolve(el);
                return true;
              }
            }
            if (this.#fatal) {
              reject(this.#fatal);
              return true;
            }
            return false;
          };
          if (take()) return;
          const cleanup = (): void => {
            if (this.#wake === wake) this.#wake = null;
            signal.removeEventListener('abort', cleanup);
          };
          const wake = (): void => {
            if (take()) cleanup();
          };
          signal.addEventListener('abort', cleanup, { once: true });
          this.#wake = wake;
        }),
      waitMs,
      'xmpp.timeout',
      this.#opts.signal,
    ).catch((error: unknown) => {
      const e = ProbeError.from(error, 'xmpp.timeout');
      if (e.code === 'xmpp.timeout' && e.message.startsWith('timed out')) {
        throw new ProbeError('xmpp.timeout', `no ${what} within ${waitMs} ms (${this.#bytes} bytes received)`);
      }
      throw e;
    });
  }

  /** Close politely (`</stream:stream>`) and destroy the socket. Idempotent, never throws. */
  close(): void {
    try {
      if (!this.#fatal && !this.#socket.destroyed) this.#socket.write('</stream:stream>');
    } catch {
      // The socket may already be gone; closing is best effort.
    }
    this.#die(new ProbeError('net.reset', 'stream closed by us'));
    this.#socket.destroy();
  }

  #newParser(): XmppStreamParser {
    // The remaining byte budget carries over restarts: the total cap is per connection.
    return new XmppStreamParser({ maxBytes: Math.max(1, this.#opts.maxBytes - this.#bytes), maxStanzaBytes: this.#opts.maxStanzaBytes });
  }

  #attach(socket: net.Socket | tls.TLSSocket): void {
    socket.on('data', this.#onData);
    socket.once('end', this.#onEnd);
    socket.once('close', this.#onEnd);
    socket.on('error', this.#onError);
  }

  #detach(socket: net.Socket | tls.TLSSocket): void {
    socket.off('data', this.#onData);
    socket.off('end', this.#onEnd);
    socket.off('close', this.#onEnd);
    socket.off('error', this.#onError);
  }

  #receive(chunk: Buffer): void {
    if (this.#fatal) return;
    this.#bytes += chunk.byteLength;
    if (this.#raw.length < this.#opts.maxRawChars) this.#raw += chunk.toString('utf8').slice(0, this.#opts.maxRawChars - this.#raw.length);
    if (this.#bytes > this.#opts.maxBytes) {
      this.#die(new ProbeError('xmpp.too-large', `the server sent more than ${this.#opts.maxBytes} bytes`));
      this.#socket.destroy();
      return;
    }
    const r = this.#parser.push(chunk);
    if (r instanceof ProbeError) {
      this.#die(r);
      this.#socket.destroy();
      return;
    }
    if (r.header) this.#header = r.header;
    for (const el of r.stanzas) if (!this.#intercept?.(el)) this.#queue.push(el);
    if (r.closed) this.#die(new ProbeError('xmpp.stream-error', 'the server closed the stream'));
    this.#wake?.();
  }

  #die(error: ProbeError): void {
    if (this.#fatal) return;
    this.#fatal = error;
    // A pending reader still gets queued stanzas first (e.g. a stream error sent just before the close).
    this.#wake?.();
    for (const fn of this.#onFatal.splice(0)) fn(error);
  }
}

/**
 * TLS over an existing socket: SNI = `domain`, our CA list, chain and name
 * judged by tlsFactsFromSocket (rejectUnauthorized false: a bad certificate
 * is a fact we record, and the probe decides whether to go on).
 */
async function upgrade(ctx: NetContext, plain: net.Socket, domain: string, alpn: string[] | undefined, signal?: AbortSignal): Promise<{ socket: tls.TLSSocket; facts: TlsFacts }> {
  return withDeadline(
    (abort) =>
      new Promise<{ socket: tls.TLSSocket; facts: TlsFacts }>((resolve, reject) => {
        const socket = tls.connect({ ...tlsClientOptions(ctx.config), socket: plain, servername: domain, ALPNProtocols: alpn });
        const onAbort = (): void => {
          socket.destroy();
          reject(abort.reason);
        };
        abort.addEventListener('abort', onAbort, { once: true });
        socket.once('error', (error) => {
          abort.removeEventListener('abort', onAbort);
          socket.destroy();
          reject(toProbeError(error, 'tls.handshake'));
        });
        socket.once('secureConnect', () => {
          abort.removeEventListener('abort', onAbort);
          socket.removeAllListeners('error');
          resolve({ socket, facts: tlsFactsFromSocket(socket, domain) });
        });
      }),
    ctx.config.connectTimeoutMs,
    'tls.timeout',
    signal,
  );
}
