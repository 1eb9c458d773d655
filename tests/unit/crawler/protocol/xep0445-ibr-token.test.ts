/**
 * decideXmppRegistration and invitationFeature (crawler/protocol/xep0445-ibr-token.ts):
 * the order of the rules. The captured bytes of real Prosody and ejabberd go through the
 * fixture runner (tests/fixtures/xep0445-ibr-token); these cases cover what a capture
 * cannot show at once (a form beside the features, the last form kept, the legacy feature alone).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideXmppRegistration, invitationFeature } from '../../../../crawler/protocol/xep0445-ibr-token.ts';
import { parseXmlDocument } from '../../../../crawler/protocol/restricted-xml.ts';
import { parseStreamFeatures, type StreamFeatures } from '../../../../crawler/protocol/rfc6120-features.ts';
import type { RegisterForm } from '../../../../crawler/protocol/xep0077-register.ts';
import { ProbeError } from '../../../../crawler/errors.ts';

const features = (children: string): StreamFeatures => {
  const el = parseXmlDocument(`<stream:features xmlns:stream='http://etherx.jabber.org/streams'>${children}</stream:features>`);
  assert.ok(!(el instanceof ProbeError));
  return parseStreamFeatures(el);
};
// The elements as Prosody's mod_invites_register and mod_register_ibr build them (st.stanza("register", { xmlns = … })).
const IBR = "<register xmlns='http://jabber.org/features/iq-register'/>";
const LEGACY = "<register xmlns='urn:xmpp:invite'/>";
const TOKEN = "<register xmlns='urn:xmpp:ibr-token:0'/>";
const form = (over: Partial<RegisterForm>): RegisterForm => ({ registered: false, instructions: '', fields: ['username', 'password'], formFields: [], captcha: false, webUrl: '', ...over });

test('the XEP-0445 feature is preferred; the legacy urn:xmpp:invite alone still shows invitations', () => {
  assert.equal(invitationFeature(features(IBR + LEGACY + TOKEN)), '{urn:xmpp:ibr-token:0}register');
  assert.equal(invitationFeature(features(LEGACY)), '{urn:xmpp:invite}register');
  assert.equal(invitationFeature(features(IBR)), null);
  // Same local name, another namespace: not an invitation.
  assert.equal(invitationFeature(features("<register xmlns='urn:example:invite'/>")), null);
});

test('invitation features make it invite, never advertised or closed, with or without <register/>', () => {
  assert.deepEqual(decideXmppRegistration({ postTls: features(IBR + LEGACY + TOKEN), form: null, formAsked: false, last: null }), { mode: 'invite', by: '{urn:xmpp:ibr-token:0}register' });
  assert.deepEqual(decideXmppRegistration({ postTls: features(TOKEN), form: null, formAsked: true, last: null }), { mode: 'invite', by: '{urn:xmpp:ibr-token:0}register' });
  // The plain form Prosody shows an invite-only host (xep0077-register/prosody-0.12.3-invite-only) changes nothing.
  assert.equal(decideXmppRegistration({ postTls: features(IBR + TOKEN), form: form({}), formAsked: true, last: null }).mode, 'invite');
});

test('this probe\'s form wins: a web page or a CAPTCHA says how sign-up works', () => {
  assert.deepEqual(decideXmppRegistration({ postTls: features(IBR + TOKEN), form: form({ webUrl: 'https://x.test/register' }), formAsked: true, last: null }), { mode: 'web', by: 'form' });
  assert.deepEqual(decideXmppRegistration({ postTls: features(IBR), form: form({ captcha: true }), formAsked: true, last: null }), { mode: 'captcha', by: 'form' });
});

test('between two forms the last one is kept while <register/> is still advertised; invitations seen now win over it', () => {
  assert.deepEqual(decideXmppRegistration({ postTls: features(IBR), form: null, formAsked: false, last: 'web' }), { mode: 'web', by: 'last-form' });
  assert.equal(decideXmppRegistration({ postTls: features(IBR), form: null, formAsked: true, last: 'web' }).mode, 'advertised', 'asked and refused: the old form is not kept');
  assert.equal(decideXmppRegistration({ postTls: features(IBR + TOKEN), form: null, formAsked: false, last: 'captcha' }).mode, 'invite');
  assert.equal(decideXmppRegistration({ postTls: features(''), form: null, formAsked: false, last: 'web' }).mode, 'closed');
});

test('no features after TLS: unknown, not closed', () => {
  assert.deepEqual(decideXmppRegistration({ postTls: null, form: null, formAsked: false, last: 'web' }), { mode: 'unknown', by: '' });
});
