/** GET /api/v1/openapi.json: the OpenAPI 3.1 document, built from the validating schemas. */
import { apiRoute, optionsRoute } from '../../../lib/api/route.ts';
import { jsonResponse } from '../../../lib/api/json-response.ts';
import { openApiDocument } from '../../../lib/api/operations.ts';

export const prerender = false;

export const GET = apiRoute('read', ({ request }) => jsonResponse(request, openApiDocument(), { maxAge: 3600 }), { cacheSeconds: 3600 });

export const OPTIONS = optionsRoute;
