import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ALIAS_SERVERS, parseDirectoryQuery } from '../../../../crawler/protocol/matrix-directory-query.ts';
import { ProbeError } from '../../../../crawler/errors.ts';

// The spec's own example answer (Server-Server API v1.16, GET /_matrix/federation/v1/query/directory).
const SPEC_EXAMPLE = '{"room_id": "!roomid1234:example.org", "servers": ["example.org", "example.com", "another.example.com:8449"]}';

test("the spec's example: the room and its servers, ports kept as server names carry them", () => {
  assert.deepEqual(parseDirectoryQuery(SPEC_EXAMPLE), { roomId: '!roomid1234:example.org', servers: ['example.org', 'example.com', 'another.example.com:8449'], dropped: 0 });
});

test('invalid, duplicate and excess server names are dropped and counted', () => {
  const many = Array.from({ length: MAX_ALIAS_SERVERS + 10 }, (_, i) => `s${i}.example.org`);
  const r = parseDirectoryQuery(JSON.stringify({ room_id: '!r:x.org', servers: ['a.org', 'a.org', '<img src=x>', 42, 'x'.repeat(400), ...many] }));
  assert.ok(!(r instanceof ProbeError));
  assert.equal(r.servers.length, MAX_ALIAS_SERVERS);
  assert.equal(r.servers[0], 'a.org');
  assert.ok(!r.servers.includes('<img src=x>'));
  assert.ok(r.dropped >= 14);
});

test('not a directory answer: a ProbeError with a stable code', () => {
  for (const bad of ['', 'null', '[]', '{"servers": []}', '{"room_id": "nope", "servers": []}', '{"room_id": "!r:x.org"}', '{"room_id": "!r:x.org", "servers": "a.org"}']) {
    const r = parseDirectoryQuery(bad);
    assert.ok(r instanceof ProbeError, bad);
    assert.match(r.code, /^json\./);
  }
});
