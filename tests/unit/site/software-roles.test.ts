/** The software pages' split of implementations from gateways and directories (site/lib/software-roles.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isServer, ownVersionsProtocol, roleLabel, splitByRole } from '../../../site/lib/software-roles.ts';
import { softwareName } from '../../../site/lib/software-names.ts';

const row = (protocol: 'matrix' | 'xmpp', software: string) => ({ protocol, software });

test('the Matrix gateway and the directories are split off; XMPP ejabberd and unrecognised names stay implementations', () => {
  const rows = [row('matrix', 'synapse'), row('matrix', 'ejabberd'), row('matrix', 'mrs'), row('xmpp', 'ejabberd'), row('matrix', 'unrecognised:hungry server'), row('matrix', 'chatlas')];
  const { servers, others } = splitByRole(rows);
  assert.deepEqual(servers, [row('matrix', 'synapse'), row('xmpp', 'ejabberd'), row('matrix', 'unrecognised:hungry server')]);
  assert.deepEqual(others.map((r) => [r.software, r.role]), [['ejabberd', 'gateway'], ['mrs', 'directory'], ['chatlas', 'directory']]);
  assert.equal(isServer(row('matrix', 'ejabberd')), false);
});

test('labels say what the software is where it is no server', () => {
  assert.equal(roleLabel('matrix', 'ejabberd'), 'Matrix gateway, not a homeserver');
  assert.equal(roleLabel('matrix', 'mrs'), 'room directory, not a homeserver');
  assert.equal(roleLabel('xmpp', 'ejabberd'), null);
  assert.equal(roleLabel('matrix', 'synapse'), null);
  assert.deepEqual(['mrs', 'construct', 'chatlas'].map(softwareName), ['MRS (MatrixRoomsSearch)', 'Construct', 'Chatlas']);
});

test('versions are the implementation\'s own protocol when it also federates in another role', () => {
  assert.equal(ownVersionsProtocol([row('matrix', 'ejabberd'), row('xmpp', 'ejabberd')]), 'xmpp');
  // Only the gateway known: its own versions are all there is.
  assert.equal(ownVersionsProtocol([row('matrix', 'ejabberd')]), '');
  assert.equal(ownVersionsProtocol([row('matrix', 'synapse')]), '');
  assert.equal(ownVersionsProtocol([row('matrix', 'unrecognised'), row('xmpp', 'unrecognised')]), '');
});
