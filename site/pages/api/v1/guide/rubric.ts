/** GET /api/v1/guide/rubric: the rubric the guide grades with (guide/rubric.ts), criteria, tiers, grades and thresholds. */
import { apiRoute, optionsRoute } from '../../../../lib/api/route.ts';
import { parseQuery } from '../../../../lib/api/validate.ts';
import { jsonResponse } from '../../../../lib/api/json-response.ts';
import { guideRubricParams } from '../../../../lib/api/operations.ts';
import { guideRubricBody } from '../../../../lib/api/guide-response.ts';

export const prerender = false;

export const GET = apiRoute('read', async ({ request }) => {
  const q = parseQuery(new URL(request.url), guideRubricParams);
  if (!q.ok) return q.response;
  return jsonResponse(request, guideRubricBody(), { maxAge: 3600 });
}, { cacheSeconds: 3600 });

export const OPTIONS = optionsRoute;
