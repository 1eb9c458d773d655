/** XMPP identification: names, caps nodes, heuristics, unrecognised names. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identifyXmpp, streamHeuristic } from '../../../../crawler/identify/xmpp-rules.ts';

test('XEP-0092 names of the seven servers', () => {
  const cases: [string, string][] = [['Prosody', 'prosody'], ['Snikket', 'snikket'], ['ejabberd', 'ejabberd'], ['Openfire', 'openfire'], ['Tigase', 'tigase'], ['MongooseIM', 'mongooseim'], ['Metronome', 'metronome']];
  for (const [name, software] of cases) {
    const id = identifyXmpp({ version: { name, version: '1.2.3' } });
    assert.equal(id.software, software, name);
    assert.equal(id.known, true);
    assert.equal(id.by, 'version');
    assert.equal(id.version.text, '1.2.3');
  }
});

test('a name no XMPP rule knows is unrecognised (kept for grouping when plain), with the raw name and version', () => {
  const id = identifyXmpp({ version: { name: 'Dendrite', version: '0.15.0' } });
  assert.equal(id.software, 'unrecognised:dendrite');
  assert.equal(id.nameRaw, 'Dendrite');
  assert.equal(id.known, false);
  assert.equal(id.version.raw, '0.15.0');
});

test('XEP-0232 software info when XEP-0092 is missing; caps node next; heuristics last', () => {
  assert.equal(identifyXmpp({ version: null, softwareInfo: { software: 'Openfire', softwareVersion: '5.0.0' } }).by, 'software-info');
  const caps = identifyXmpp({ capsNodes: ['http://www.process-one.net/en/ejabberd/'] });
  assert.deepEqual([caps.software, caps.by, caps.confidence], ['ejabberd', 'caps', 'medium']);
  const h = identifyXmpp({ stream: { id: 'db404ae6-9d72-4468-81f9-1f2a4eb68194', features: null } });
  assert.deepEqual([h.software, h.by, h.confidence], ['prosody', 'heuristic', 'low']);
  assert.deepEqual([identifyXmpp({}).software, identifyXmpp({}).by], ['unknown', 'none']);
});

test('stream id heuristics stay silent on ambiguous ids', () => {
  assert.equal(streamHeuristic('7673462562350365847', null), 'ejabberd');
  assert.equal(streamHeuristic('abc', null), null);
  assert.equal(streamHeuristic('', null), null);
});
