/**
 * XMPP parsers on inputs the captured servers do not produce (XEP-0440,
 * XEP-0388, XEP-0478, caps pre-auth, RSM, upload, captcha/OOB forms), taken
 * from the examples of each spec.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeError } from '../../../../crawler/errors.ts';
import { parseXmlDocument } from '../../../../crawler/protocol/restricted-xml.ts';
import type { XmlElement } from '../../../../crawler/protocol/xmpp-element.ts';
import { parseStreamError, parseStreamFeatures } from '../../../../crawler/protocol/rfc6120-features.ts';
import { parseDiscoInfo, parseDiscoItems } from '../../../../crawler/protocol/xep0030-disco.ts';
import { rsmRequest } from '../../../../crawler/protocol/xep0059-rsm.ts';
import { uploadService } from '../../../../crawler/protocol/xep0363-upload.ts';
import { parseRegisterForm } from '../../../../crawler/protocol/xep0077-register.ts';
import { softwareInfo } from '../../../../crawler/protocol/xep0232-software-info.ts';
import { contactDomain } from '../../../../crawler/protocol/xep0157-contact.ts';
import { isListableRoom, parseRoomInfo } from '../../../../crawler/protocol/xep0045-muc.ts';
import { iqGet, parseIqReply } from '../../../../crawler/protocol/xmpp-iq.ts';

const doc = (s: string): XmlElement => {
  const r = parseXmlDocument(s);
  if (r instanceof ProbeError) throw r;
  return r;
};

test('features: -PLUS, channel binding, SASL2, limits, caps, legacy auth, dialback errors (XEP-0440/0388/0478/0115/0078/0220 examples)', () => {
  const f = parseStreamFeatures(doc(`<features xmlns='http://etherx.jabber.org/streams'>
    <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-256-PLUS</mechanism><mechanism>SCRAM-SHA-256</mechanism></mechanisms>
    <sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'><channel-binding type='tls-exporter'/><channel-binding type='tls-server-end-point'/></sasl-channel-binding>
    <authentication xmlns='urn:xmpp:sasl:2'><mechanism>SCRAM-SHA-256</mechanism><inline><bind xmlns='urn:xmpp:bind:0'/><sm xmlns='urn:xmpp:sm:3'/></inline></authentication>
    <limits xmlns='urn:xmpp:stream-limits:0'><max-bytes>262144</max-bytes><idle-seconds>abc</idle-seconds></limits>
    <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://www.igniterealtime.org/projects/openfire/' ver='x='/>
    <auth xmlns='http://jabber.org/features/iq-auth'/>
    <dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>
    <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>
  </features>`));
  assert.deepEqual(f.mechanisms, ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']);
  assert.deepEqual(f.channelBindings, ['tls-exporter', 'tls-server-end-point']);
  assert.deepEqual(f.sasl2, { mechanisms: ['SCRAM-SHA-256'], inline: ['{urn:xmpp:bind:0}bind', '{urn:xmpp:sm:3}sm'] });
  assert.deepEqual(f.limits, { maxBytes: 262144, idleSeconds: null });
  assert.equal(f.caps?.node, 'https://www.igniterealtime.org/projects/openfire/');
  assert.equal(f.legacyAuth, true);
  assert.deepEqual(f.dialback, { errors: true });
  assert.equal(f.starttls, 'optional');
  assert.equal(f.register, false);
});

test('stream error: condition and text', () => {
  const e = parseStreamError(doc(`<error xmlns='http://etherx.jabber.org/streams'><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>no such host</text></error>`));
  assert.deepEqual(e, { condition: 'host-unknown', text: 'no such host' });
});

test('disco#items with RSM page info, and the RSM request we send', () => {
  const items = parseDiscoItems(doc(`<query xmlns='http://jabber.org/protocol/disco#items'><item jid='a@muc.test' name='A'/><item name='no jid'/><set xmlns='http://jabber.org/protocol/rsm'><first>a</first><last>a@muc.test</last><count>250</count></set></query>`));
  assert.deepEqual(items.items, [{ jid: 'a@muc.test', node: '', name: 'A' }]);
  assert.deepEqual(items.rsm, { first: 'a', last: 'a@muc.test', count: 250 });
  assert.equal(rsmRequest(100, "a'b"), "<set xmlns='http://jabber.org/protocol/rsm'><max>100</max><after>a&apos;b</after></set>");
});

test('upload service max size (XEP-0363 example 2) and software info (XEP-0232)', () => {
  const info = parseDiscoInfo(doc(`<query xmlns='http://jabber.org/protocol/disco#info'><identity category='store' type='file' name='HTTP File Upload'/><feature var='urn:xmpp:http:upload:0'/>
    <x type='result' xmlns='jabber:x:data'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:http:upload:0</value></field><field var='max-file-size'><value>5242880</value></field></x>
    <x type='result' xmlns='jabber:x:data'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field><field var='software'><value>Openfire</value></field><field var='software_version'><value>5.0.0</value></field></x></query>`));
  assert.deepEqual(uploadService(info), { maxFileSize: 5242880 });
  assert.deepEqual(softwareInfo(info.forms), { software: 'Openfire', softwareVersion: '5.0.0', os: '', osVersion: '' });
});

test('register form with CAPTCHA (XEP-0158) and OOB web page (XEP-0077 §5)', () => {
  const r = parseRegisterForm(doc(`<query xmlns='jabber:iq:register'><instructions>Use the web</instructions>
    <x xmlns='jabber:x:data' type='form'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:captcha</value></field><field var='ocr'/></x>
    <x xmlns='jabber:x:oob'><url>https://example.test/register</url></x></query>`));
  assert.equal(r.captcha, true);
  assert.equal(r.webUrl, 'https://example.test/register');
  assert.deepEqual(r.formFields, ['ocr']);
  assert.deepEqual(r.fields, []);
});

test('room listing rule: every flag must be stated; hidden, temporary, members-only or password rooms are not listed', () => {
  const room = (features: string[]) => parseRoomInfo(parseDiscoInfo(doc(`<query xmlns='http://jabber.org/protocol/disco#info'><identity category='conference' type='text' name='R'/><feature var='http://jabber.org/protocol/muc'/>${features.map((f) => `<feature var='${f}'/>`).join('')}</query>`)));
  const ok = ['muc_public', 'muc_persistent', 'muc_open', 'muc_unsecured'];
  assert.equal(isListableRoom(room(ok)), true);
  assert.equal(isListableRoom(room(['muc_hidden', 'muc_persistent', 'muc_open', 'muc_unsecured'])), false);
  assert.equal(isListableRoom(room(['muc_public', 'muc_temporary', 'muc_open', 'muc_unsecured'])), false);
  assert.equal(isListableRoom(room(['muc_public', 'muc_persistent', 'muc_membersonly', 'muc_unsecured'])), false);
  assert.equal(isListableRoom(room(['muc_public', 'muc_persistent', 'muc_open', 'muc_passwordprotected'])), false);
  assert.equal(isListableRoom(room(['muc_persistent', 'muc_open'])), false, 'public not stated');
});

test('contact URIs to domains', () => {
  assert.equal(contactDomain('xmpp:abuse@Example.ORG'), 'example.org');
  assert.equal(contactDomain('xmpp:muc.example.org?join'), 'muc.example.org');
  assert.equal(contactDomain('mailto:a@b.example'), 'b.example');
  assert.equal(contactDomain('https://x.example:8443/path'), 'x.example');
  assert.equal(contactDomain('tel:+123'), '');
});

test('iq builder escapes; iq reply reads errors', () => {
  assert.equal(iqGet('1', "a'b", 'jabber:iq:version'), "<iq type='get' id='1' to='a&apos;b'><query xmlns='jabber:iq:version'/></iq>");
  const r = parseIqReply(doc(`<iq type='error' from='x.test' id='1'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`));
  assert.deepEqual(r, { ok: false, from: 'x.test', error: { type: 'cancel', condition: 'item-not-found', text: '' } });
});
