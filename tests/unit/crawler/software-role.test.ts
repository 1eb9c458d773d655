/**
 * Roles of software keys (crawler/software-role.ts): what answers the Matrix
 * federation but is not a homeserver (ejabberd's gateway, MRS, Chatlas), and
 * the rule tables that decide it. The strings themselves are checked against
 * their sources by the fixture pairs (tests/fixtures/matrix-federation-version).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roleNote, SERVER_ROLES, softwareRole } from '../../../crawler/software-role.ts';
import { MATRIX_RULES } from '../../../crawler/identify/matrix-rules.ts';
import { XMPP_RULES } from '../../../crawler/identify/xmpp-rules.ts';
import { identifySoftware } from '../../../crawler/identify/software.ts';
import { NAMED } from '../../../crawler/software-key.ts';

test('ejabberd is an XMPP server, and a gateway in Matrix; MRS and Chatlas are Matrix directories', () => {
  assert.equal(softwareRole('xmpp', 'ejabberd'), 'server');
  assert.equal(softwareRole('matrix', 'ejabberd'), 'gateway');
  assert.equal(softwareRole('matrix', 'mrs'), 'directory');
  assert.equal(softwareRole('matrix', 'chatlas'), 'directory');
  for (const key of ['synapse', 'conduwuit', 'tuwunel', 'continuwuity', 'construct', 'unknown', 'unrecognised', 'unrecognised:hungry server']) {
    assert.equal(softwareRole('matrix', key), 'server', key);
  }
});

test('what the federation reports decides the role: the gateway and MRS by name', () => {
  const gw = identifySoftware('ejabberd/mod_matrix_gw', '0.1', MATRIX_RULES);
  assert.deepEqual([gw.software, gw.known, softwareRole('matrix', gw.software)], ['ejabberd', true, 'gateway']);
  const mrs = identifySoftware('MatrixRoomsSearch', 'v0.0.0', MATRIX_RULES);
  assert.deepEqual([mrs.software, softwareRole('matrix', mrs.software)], ['mrs', 'directory']);
  // Plain "ejabberd" is no Matrix software: only the gateway's own string is.
  assert.equal(identifySoftware('ejabberd', '24.02', MATRIX_RULES).software, 'unrecognised:ejabberd');
});

test('conduwuit builds that reported "conduit" are told from Conduit by their version only', () => {
  assert.equal(identifySoftware('conduit', '0.7.0-alpha+conduwuit-0.1.2', MATRIX_RULES).software, 'conduwuit');
  assert.equal(identifySoftware('Conduit', '0.9.0', MATRIX_RULES).software, 'conduit');
  assert.equal(identifySoftware('Conduit', '0.10.0-alpha', MATRIX_RULES).software, 'conduit');
  assert.equal(identifySoftware('cowonduit', '4.2.0-6.9-barkbarkbark', MATRIX_RULES).software, 'conduwuit');
});

test('every rule of one software key gives the same role, and keys are plain names', () => {
  for (const rules of [MATRIX_RULES, XMPP_RULES]) {
    const roles = new Map<string, string>();
    for (const rule of rules) {
      assert.match(rule.software, NAMED, rule.software);
      const role = rule.role ?? 'server';
      assert.ok((SERVER_ROLES as readonly string[]).includes(role));
      assert.equal(roles.get(rule.software) ?? role, role, `${rule.software}: rules disagree on its role`);
      roles.set(rule.software, role);
    }
  }
});

test('the report says what a gateway or directory is, quoting the reported name; nothing for a homeserver', () => {
  const note = roleNote('matrix', 'ejabberd', 'ejabberd/mod_matrix_gw');
  assert.match(note ?? '', /"ejabberd\/mod_matrix_gw".*gateway.*not a Matrix homeserver/);
  assert.match(roleNote('matrix', 'mrs', 'MatrixRoomsSearch') ?? '', /room directory, not a homeserver/);
  assert.equal(roleNote('matrix', 'synapse', 'Synapse'), null);
  assert.equal(roleNote('xmpp', 'ejabberd', 'ejabberd'), null);
});
