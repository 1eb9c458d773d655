/**
 * GET /api/v1/export/{servers|rooms}.{csv|ndjson}: the whole listing, streamed.
 * The server export ends with the guide's columns (guide/export-columns.ts),
 * from the same memoised grading as /choose and /api/v1/guide.
 */
import { apiRoute, optionsRoute } from '../../../../lib/api/route.ts';
import { parsePath } from '../../../../lib/api/validate.ts';
import { exportPath } from '../../../../lib/api/operations.ts';
import { exportStream } from '../../../../../lib/export-format.ts';
import { streamServersExport, SERVER_EXPORT_COLUMNS } from '../../../../../db/queries/export/stream-servers-export.ts';
import { streamRoomsExport, ROOM_EXPORT_COLUMNS } from '../../../../../db/queries/export/stream-rooms-export.ts';
import { GUIDE_EXPORT_COLUMNS, withGuideColumns } from '../../../../../guide/export-columns.ts';
import { guideEntries } from '../../../../lib/pages/load-guide.ts';

export const prerender = false;

export const GET = apiRoute('read', async ({ request, params }, deps) => {
  const path = parsePath(params, exportPath);
  if (!path.ok) return path.response;
  const [what, format] = path.value.file.split('.') as ['servers' | 'rooms', 'csv' | 'ndjson'];
  // A HEAD answers the headers only: neither the store's stream nor the grading is started for it.
  const body = request.method === 'HEAD' ? null : what === 'servers'
    ? exportStream(withGuideColumns(streamServersExport(deps.db, request.signal), await guideEntries(deps.db, deps.now())), format, [...SERVER_EXPORT_COLUMNS, ...GUIDE_EXPORT_COLUMNS])
    : exportStream(streamRoomsExport(deps.db, request.signal), format, ROOM_EXPORT_COLUMNS);
  const day = deps.now().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="chatlas-${what}-${day}.${format}"`,
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff',
    },
  });
});

export const OPTIONS = optionsRoute;
