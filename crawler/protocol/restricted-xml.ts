/**
 * Restricted XML, as XMPP requires it.
 *
 * Spec: RFC 6120 "Extensible Messaging and Presence Protocol (XMPP): Core",
 * §11.1 "XML Restrictions", https://www.rfc-editor.org/rfc/rfc6120#section-11.1
 * (March 2011). An XMPP entity MUST NOT accept comments, processing
 * instructions, internal or external DTD subsets, or internal or external
 * entity references other than the predefined ones; on receiving them it
 * closes the stream with `<restricted-xml/>`.
 *
 * Also used for XEP-0156 host-meta XRD documents, which we hold to the same
 * restrictions: no document we crawl needs a DTD.
 *
 * Built on saxes, which never expands entities declared in a DTD and fails on
 * undefined entity references; we additionally refuse the DOCTYPE itself, so
 * billion-laughs and external-entity (XXE) inputs stop at the declaration.
 * Depth and size caps bound memory. Pure: strings in, trees or ProbeError out.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { StringDecoder } from 'node:string_decoder';
import { ProbeError, type ProbeErrorCode } from '../errors.ts';
import type { XmlElement } from './xmpp-element.ts';

/** Limits of one parse. */
export interface XmlLimits {
  /**
   * Most bytes (UTF-8) accepted in total; one byte more is `xml.too-large`.
   * @default 1048576
   */
  maxBytes: number;
  /**
   * Deepest element nesting (the stream root counts as 1).
   * @default 32
   */
  maxDepth: number;
}

/** Limits of a stream parse: {@link XmlLimits} plus a per-stanza cap. */
export interface StreamLimits extends XmlLimits {
  /**
   * Most characters of one top-level stanza.
   * @default 262144 (ejabberd's and Prosody's default c2s stanza limit)
   */
  maxStanzaBytes: number;
}

/** Defaults: generous for real servers, small enough to bound memory per probe. */
export const DEFAULT_XML_LIMITS: Readonly<StreamLimits> = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 32,
  maxStanzaBytes: 256 * 1024,
});

const STREAM_NS = 'http://etherx.jabber.org/streams';

/** Thrown inside saxes handlers to stop the parse at once. */
class Stop extends Error {
  readonly probeError: ProbeError;
  constructor(error: ProbeError) {
    super(error.message);
    this.probeError = error;
  }
}

/** What one `push` produced. */
export interface StreamChunkResult {
  /** The stream root (attributes only, no children), the first time it is seen. */
  header: XmlElement | null;
  /** Complete top-level children of the stream (stanzas, features, errors), in order. */
  stanzas: XmlElement[];
  /** The peer closed the stream (`</stream:stream>`). */
  closed: boolean;
}

/**
 * Incremental parser for one XMPP stream (a new one per stream restart, e.g.
 * after STARTTLS or SASL success). Feed it raw bytes as they arrive; it yields
 * the stream header and each complete top-level element as a small tree. After
 * the first error every later push returns the same error.
 *
 * @example
 * const p = new XmppStreamParser();
 * const r = p.push(chunk); if (r instanceof ProbeError) … else r.stanzas
 */
export class XmppStreamParser {
  readonly #limits: StreamLimits;
  readonly #sax: SaxesParser<{ xmlns: true; position: true }>;
  readonly #decoder = new StringDecoder('utf8');
  /** Open elements from the root down; index 0 is the stream root. */
  readonly #stack: XmlElement[] = [];
  /** Output of the current push, reset each time. */
  #out: StreamChunkResult = { header: null, stanzas: [], closed: false };
  #bytes = 0;
  /** Parser position (characters) where the current top-level stanza started. */
  #stanzaStart = -1;
  #error: ProbeError | null = null;
  #closed = false;
  /** Default namespace declared on the stream root (`jabber:client` / `jabber:server`). */
  #contentNs = '';

  constructor(limits: Partial<StreamLimits> = {}) {
    this.#limits = { ...DEFAULT_XML_LIMITS, ...limits };
    this.#sax = new SaxesParser({ xmlns: true, position: true });
    wireRestrictions(this.#sax);
    this.#sax.on('opentag', (tag) => this.#open(tag));
    this.#sax.on('closetag', () => this.#close());
    this.#sax.on('text', (text) => this.#text(text));
    this.#sax.on('cdata', (text) => this.#text(text));
  }

  /** Bytes fed so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The stream's content namespace (default `xmlns` of the root), '' until the header is seen. */
  get contentNamespace(): string {
    return this.#contentNs;
  }

  /** The first error, or null. */
  get error(): ProbeError | null {
    return this.#error;
  }

  /**
   * Feed bytes (or already-decoded text). Returns what became complete, or the
   * ProbeError that stopped the parse (`xml.restricted`, `xml.malformed`,
   * `xml.too-large`, `xml.too-deep`).
   */
  push(chunk: Uint8Array | string): StreamChunkResult | ProbeError {
    if (this.#error) return this.#error;
    this.#out = { header: null, stanzas: [], closed: false };
    this.#bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (this.#bytes > this.#limits.maxBytes) {
      return this.#fail(new ProbeError('xml.too-large', `stream exceeded ${this.#limits.maxBytes} bytes`));
    }
    if (this.#closed) return this.#out;
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    try {
      this.#sax.write(text);
    } catch (error) {
      return this.#fail(toProbeError(error));
    }
    return this.#out;
  }

  #fail(error: ProbeError): ProbeError {
    this.#error = error;
    return error;
  }

  #open(tag: SaxesTagNS): void {
    const depth = this.#stack.length + 1;
    if (depth > this.#limits.maxDepth) throw new Stop(new ProbeError('xml.too-deep', `elements nested deeper than ${this.#limits.maxDepth}`));
    const el = toElement(tag);
    if (depth === 1) {
      if (el.local !== 'stream' || el.ns !== STREAM_NS) {
        throw new Stop(new ProbeError('xml.malformed', `expected <stream:stream>, got <${el.name}> in ${JSON.stringify(el.ns)}`));
      }
      this.#contentNs = tag.ns?.[''] ?? '';
      this.#out.header = el;
    } else {
      if (depth === 2) this.#stanzaStart = this.#sax.position;
      this.#stack[this.#stack.length - 1]?.children.push(el);
      this.#checkStanzaSize();
    }
    this.#stack.push(el);
    // A self-closing top-level element (`<proceed/>`) closes at once via closetag.
  }

  #close(): void {
    const el = this.#stack.pop();
    if (!el) return;
    if (this.#stack.length === 0) {
      this.#closed = true;
      this.#out.closed = true;
    } else if (this.#stack.length === 1) {
      this.#checkStanzaSize();
      // Stanzas are handed out, not kept under the root: memory stays bounded.
      const root = this.#stack[0];
      if (root) root.children.length = 0;
      this.#out.stanzas.push(el);
      this.#stanzaStart = -1;
    }
  }

  #text(text: string): void {
    // Whitespace between stanzas (keepalives) is not kept.
    if (this.#stack.length < 2) return;
    this.#checkStanzaSize();
    this.#stack[this.#stack.length - 1]?.children.push(text);
  }

  #checkStanzaSize(): void {
    if (this.#stanzaStart >= 0 && this.#sax.position - this.#stanzaStart > this.#limits.maxStanzaBytes) {
      throw new Stop(new ProbeError('xmpp.too-large', `a stanza exceeded ${this.#limits.maxStanzaBytes} characters`));
    }
  }
}

/**
 * Parse one complete document (an XRD, a recorded stanza) into a tree.
 * @returns the root element, or a ProbeError (`xml.restricted`, `xml.malformed`, `xml.too-large`, `xml.too-deep`).
 */
export function parseXmlDocument(text: string, limits: Partial<XmlLimits> = {}): XmlElement | ProbeError {
  const lim = { ...DEFAULT_XML_LIMITS, ...limits };
  if (Buffer.byteLength(text) > lim.maxBytes) return new ProbeError('xml.too-large', `document exceeds ${lim.maxBytes} bytes`);
  const sax = new SaxesParser({ xmlns: true, position: false });
  wireRestrictions(sax);
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  sax.on('opentag', (tag) => {
    if (stack.length + 1 > lim.maxDepth) throw new Stop(new ProbeError('xml.too-deep', `elements nested deeper than ${lim.maxDepth}`));
    const el = toElement(tag);
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  sax.on('closetag', () => void stack.pop());
  const onText = (t: string): void => void stack[stack.length - 1]?.children.push(t);
  sax.on('text', onText);
  sax.on('cdata', onText);
  try {
    sax.write(text).close();
  } catch (error) {
    return toProbeError(error);
  }
  return root ?? new ProbeError('xml.malformed', 'no root element');
}

/** The RFC 6120 §11.1 refusals, shared by both modes. */
function wireRestrictions(sax: SaxesParser<{ xmlns: true; position: boolean }>): void {
  sax.on('doctype', () => {
    throw new Stop(new ProbeError('xml.restricted', 'DOCTYPE/DTD refused (RFC 6120 §11.1)'));
  });
  sax.on('processinginstruction', (pi) => {
    throw new Stop(new ProbeError('xml.restricted', `processing instruction <?${pi.target}?> refused (RFC 6120 §11.1)`));
  });
  sax.on('comment', () => {
    throw new Stop(new ProbeError('xml.restricted', 'comment refused (RFC 6120 §11.1)'));
  });
  sax.on('error', (err) => {
    // saxes reports undefined entities as well-formedness errors; they are
    // the entity references §11.1 forbids, so they get the restricted code.
    const code: ProbeErrorCode = /entity/i.test(err.message) ? 'xml.restricted' : 'xml.malformed';
    throw new Stop(new ProbeError(code, `XML ${code === 'xml.restricted' ? 'restricted' : 'malformed'}: ${err.message.split('\n')[0]}`));
  });
}

function toElement(tag: SaxesTagNS): XmlElement {
  const attrs: Record<string, string> = {};
  for (const a of Object.values(tag.attributes)) {
    if (a.prefix === 'xmlns' || a.name === 'xmlns') continue;
    attrs[a.name] = a.value;
  }
  return { name: tag.name, local: tag.local, ns: tag.uri, attrs, children: [] };
}

function toProbeError(error: unknown): ProbeError {
  if (error instanceof Stop) return error.probeError;
  return ProbeError.from(error, 'xml.malformed');
}
