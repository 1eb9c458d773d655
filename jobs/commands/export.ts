import { createWriteStream } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { SERVER_EXPORT_COLUMNS, streamServersExport } from '../../db/queries/export/stream-servers-export.ts';
import { ROOM_EXPORT_COLUMNS, streamRoomsExport } from '../../db/queries/export/stream-rooms-export.ts';
import { exportStream } from '../../lib/export-format.ts';
import { GUIDE_EXPORT_COLUMNS, withGuideColumns } from '../../guide/export-columns.ts';
import { loadGuideEntries } from '../../guide/guide.ts';
import type { CommandSpec } from '../cli/command.ts';
import { UsageError } from '../cli/errors.ts';
import { openStore } from '../cli/open-store.ts';

export const exportCommand: CommandSpec = {
  name: 'export',
  summary: 'Export servers or rooms as CSV or NDJSON',
  help: `Usage: chatlas export servers|rooms [--format csv|ndjson] [--output FILE]

Writes the latest state of every visible server, or every listed public room,
as the API's bulk export does (hidden and opted-out entries left out). The
server export ends with the guide's columns (grade, criteria measured of
applicable, signup_class and signup_way, uptime30 and uptime90, tls_days_left,
behind_days, upload_max_bytes, first_seen_at, and one criterion_<id> verdict
per criterion of the rubric), graded now; /about/data describes each. CSV
cells that a spreadsheet would run as formulas are neutralised. Writes to
standard output unless --output is given.`,
  options: {
    format: { type: 'string', default: 'ndjson' },
    output: { type: 'string', short: 'o' },
  },
  config: ['db'],
  async run(ctx) {
    const [what, ...extra] = ctx.positionals;
    if ((what !== 'servers' && what !== 'rooms') || extra.length > 0) throw new UsageError('export takes one of: servers, rooms');
    const format = String(ctx.flags.format);
    if (format !== 'csv' && format !== 'ndjson') throw new UsageError(`--format=${JSON.stringify(format)} must be csv or ndjson`);
    const db = await openStore(ctx, ctx.logger);
    try {
      const body = what === 'servers'
        ? exportStream(withGuideColumns(streamServersExport(db, ctx.signal), await loadGuideEntries(db, new Date())), format, [...SERVER_EXPORT_COLUMNS, ...GUIDE_EXPORT_COLUMNS])
        : exportStream(streamRoomsExport(db, ctx.signal), format, ROOM_EXPORT_COLUMNS);
      const out: Writable = typeof ctx.flags.output === 'string' ? createWriteStream(ctx.flags.output) : (ctx.stdout as Writable);
      await pipeline(Readable.fromWeb(body as WebReadableStream<Uint8Array>), out, { end: out !== ctx.stdout });
      return 0;
    } finally {
      await db.close();
    }
  },
};
