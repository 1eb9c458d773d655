/**
 * Restricted XML (RFC 6120 §11.1): hostile inputs end in typed errors; real
 * streams parse in any chunking; caps hold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProbeError } from '../../../../crawler/errors.ts';
import { XmppStreamParser, parseXmlDocument } from '../../../../crawler/protocol/restricted-xml.ts';
import { serializeElement } from '../../../../crawler/protocol/xmpp-element.ts';

const fixture = (p: string): string => readFileSync(new URL(`../../../fixtures/${p}`, import.meta.url), 'utf8');
const HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='a.test' id='x' version='1.0'>";

/** Feed whole input; return the first error or the collected stanzas. */
function feed(input: string | Buffer, opts = {}, chunk = 64): ProbeError | { stanzas: string[]; closed: boolean } {
  const p = new XmppStreamParser(opts);
  const bytes = Buffer.from(input);
  const stanzas: string[] = [];
  let closed = false;
  for (let i = 0; i < bytes.length; i += chunk) {
    const r = p.push(bytes.subarray(i, i + chunk));
    if (r instanceof ProbeError) return r;
    stanzas.push(...r.stanzas.map((s) => s.local));
    closed ||= r.closed;
  }
  return { stanzas, closed };
}

const hostile: [string, string][] = [
  ['hostile/billion-laughs.xml', 'xml.restricted'],
  ['hostile/doctype-external-entity.xml', 'xml.restricted'],
  ['hostile/undefined-entity.xml', 'xml.restricted'],
  ['hostile/comment.xml', 'xml.restricted'],
  ['hostile/processing-instruction.xml', 'xml.restricted'],
  ['hostile/deep-nesting.xml', 'xml.too-deep'],
];
for (const [file, code] of hostile) {
  test(`stream mode refuses ${file} with ${code}`, () => {
    const r = feed(fixture(file));
    assert.ok(r instanceof ProbeError, `expected an error, got ${JSON.stringify(r)}`);
    assert.equal(r.code, code);
  });
  test(`document mode refuses ${file} with ${code}`, () => {
    const text = fixture(file).replace(/<stream:stream[^>]*>/, (m) => m) + (file.includes('deep') ? '' : '</stream:stream>');
    const r = parseXmlDocument(text);
    assert.ok(r instanceof ProbeError);
    assert.equal(r.code, code);
  });
}

test('billion laughs never expands: the error comes before any entity text appears', () => {
  const p = new XmppStreamParser();
  const r = p.push(fixture('hostile/billion-laughs.xml'));
  assert.ok(r instanceof ProbeError);
  assert.match(r.message, /DOCTYPE/);
  // Later pushes keep returning the same error (the stream is dead).
  assert.equal(p.push('<more/>'), r);
});

test('oversized stream: one byte over the total cap is xml.too-large', () => {
  const body = `${HEADER}${'<message><body>x</body></message>'.repeat(100)}`;
  const cap = Buffer.byteLength(body) - 1;
  const r = feed(body, { maxBytes: cap });
  assert.ok(r instanceof ProbeError);
  assert.equal(r.code, 'xml.too-large');
  const ok = feed(body, { maxBytes: cap + 1 });
  assert.ok(!(ok instanceof ProbeError));
});

test('one stanza larger than the stanza cap is xmpp.too-large, even with no markup in it', () => {
  const r = feed(`${HEADER}<message><body>${'a'.repeat(5000)}</body></message>`, { maxStanzaBytes: 1000 }, 512);
  assert.ok(r instanceof ProbeError);
  assert.equal(r.code, 'xmpp.too-large');
});

test('a real Prosody transcript parses the same in 1-byte and whole chunks', () => {
  const text = fixture('rfc6120-features/prosody-0.12.3-c2s-post-auth.input.xml');
  assert.deepEqual(feed(text, {}, 1), feed(text, {}, text.length));
  assert.deepEqual(feed(text, {}, 1), { stanzas: ['features'], closed: false });
});

test('multi-byte UTF-8 split across chunks is decoded intact', () => {
  const p = new XmppStreamParser();
  const bytes = Buffer.from(`${HEADER}<message><body>Grüße 💬</body></message></stream:stream>`);
  const texts: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const r = p.push(bytes.subarray(i, i + 3));
    assert.ok(!(r instanceof ProbeError));
    for (const s of r.stanzas) texts.push(serializeElement(s));
  }
  assert.deepEqual(texts, ["<message xmlns='jabber:client'><body>Grüße 💬</body></message>"]);
});

test('a stream that does not start with <stream:stream> is xml.malformed', () => {
  const r = feed("<?xml version='1.0'?><html><body>hi</body></html>");
  assert.ok(r instanceof ProbeError);
  assert.equal(r.code, 'xml.malformed');
});

test('stream close is reported and the root keeps no children', () => {
  const r = feed(`${HEADER}<a/><b/></stream:stream>`);
  assert.deepEqual(r, { stanzas: ['a', 'b'], closed: true });
});

test('CDATA and predefined entities are allowed', () => {
  const r = parseXmlDocument("<a xmlns='x'>&lt;&amp;<![CDATA[<raw>]]></a>");
  assert.ok(!(r instanceof ProbeError));
  assert.deepEqual(r.children, ['<&', '<raw>']);
});
