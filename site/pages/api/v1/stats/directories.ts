/** GET /api/v1/stats/directories: how Matrix servers share their public room directory, per implementation. */
import { apiRoute, optionsRoute } from '../../../../lib/api/route.ts';
import { parseQuery } from '../../../../lib/api/validate.ts';
import { jsonResponse } from '../../../../lib/api/json-response.ts';
import { directoryParams } from '../../../../lib/api/operations.ts';
import { getDirectoryExposure } from '../../../../../db/queries/software/get-directory-exposure.ts';

export const prerender = false;

export const GET = apiRoute('read', async ({ request }, deps) => {
  const q = parseQuery(new URL(request.url), directoryParams);
  if (!q.ok) return q.response;
  return jsonResponse(request, { rows: await getDirectoryExposure(deps.db) }, { maxAge: 300 });
}, { cacheSeconds: 300 });

export const OPTIONS = optionsRoute;
