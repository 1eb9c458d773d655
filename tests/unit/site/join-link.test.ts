import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { joinLink } from '../../../site/lib/join-link.ts';

describe('joinLink', () => {
  it('links Matrix aliases through matrix.to, keeping the colon readable', () => {
    assert.equal(joinLink('matrix', '#rust:example.org', '!abc:example.org'), 'https://matrix.to/#/%23rust:example.org');
  });
  it('falls back to the room id when there is no alias', () => {
    assert.equal(joinLink('matrix', '', '!abc:example.org'), 'https://matrix.to/#/!abc:example.org');
  });
  it('builds xmpp: URIs with ?join (XEP-0147)', () => {
    assert.equal(joinLink('xmpp', 'chat@conference.example.org', ''), 'xmpp:chat@conference.example.org?join');
  });
  it('percent-encodes crawled text so it cannot break out of the link', () => {
    assert.equal(joinLink('matrix', '#a"b<c>:x.org', ''), 'https://matrix.to/#/%23a%22b%3Cc%3E:x.org');
    assert.equal(joinLink('xmpp', 'a?b#c@conf.x.org', ''), 'xmpp:a%3Fb%23c@conf.x.org?join');
  });
  it('refuses addresses that are not room addresses', () => {
    assert.equal(joinLink('matrix', 'javascript:alert(1)', 'not-an-id'), null);
    assert.equal(joinLink('xmpp', 'javascript:alert(1)', 'no at sign'), null);
    assert.equal(joinLink('xmpp', 'a b@c', ''), null);
  });
  it('offers no link to a local-only room (m.federate: false): only its own server\'s users can join', () => {
    assert.equal(joinLink('matrix', '#staff:example.org', '!abc:example.org', false), null);
    assert.equal(joinLink('matrix', '#staff:example.org', '!abc:example.org', true), 'https://matrix.to/#/%23staff:example.org');
    assert.equal(joinLink('matrix', '#staff:example.org', '!abc:example.org', null), 'https://matrix.to/#/%23staff:example.org', 'not known: linked');
  });
});
