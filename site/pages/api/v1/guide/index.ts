/** GET /api/v1/guide: the guide of /choose (issue 15), filtered on measured facts, graded, in cursor pages. */
import { apiRoute, optionsRoute } from '../../../../lib/api/route.ts';
import { parseQuery } from '../../../../lib/api/validate.ts';
import { jsonResponse } from '../../../../lib/api/json-response.ts';
import { problem } from '../../../../lib/api/problem.ts';
import { guideApiRow } from '../../../../lib/api/guide-response.ts';
import { guideEntries } from '../../../../lib/pages/load-guide.ts';
import { guideQuerySchema, InvalidGuideCursorError, queryGuide } from '../../../../../guide/query.ts';

export const prerender = false;

export const GET = apiRoute('read', async ({ request }, deps) => {
  const url = new URL(request.url);
  const q = parseQuery(url, guideQuerySchema);
  if (!q.ok) return q.response;
  let page;
  try {
    page = queryGuide(await guideEntries(deps.db, deps.now()), q.value);
  } catch (error) {
    // A well-formed cursor (the schema judged its form) that names no page of this sort: 404, as /api/v1/servers answers.
    if (error instanceof InvalidGuideCursorError) return problem('invalid-cursor', `${error.message}; start again from the first page`);
    throw error;
  }
  const headers: Record<string, string> = {};
  if (page.nextCursor) {
    const next = new URL(url);
    next.searchParams.set('cursor', page.nextCursor);
    headers.link = `<${next.pathname}${next.search}>; rel="next"`;
  }
  return jsonResponse(request, {
    rows: page.rows.map(guideApiRow), total: page.total, unknownExcluded: page.unknownExcluded, nextCursor: page.nextCursor,
  }, { maxAge: 60, headers });
}, { cacheSeconds: 60 });

export const OPTIONS = optionsRoute;
