/**
 * GET /api/v1/registrations/{id}: the registration's state and instructions.
 * PATCH /api/v1/registrations/{id}: a verified admin's changes (Bearer management secret).
 */
import { apiRoute, optionsRoute } from '../../../../lib/api/route.ts';
import { parseJsonBody, parsePath } from '../../../../lib/api/validate.ts';
import { registrationChangesSchema, registrationIdParams } from '../../../../lib/api/schemas.ts';
import { noStoreJson, refusalResponse } from '../../../../lib/api/outcome-response.ts';
import { problem } from '../../../../lib/api/problem.ts';
import { getRegistration } from '../../../../../db/queries/registrations/get-registration.ts';
import { expireIfOverdue } from '../../../../../registration/verify-registration.ts';
import { manageRegistration } from '../../../../../registration/manage-registration.ts';
import { publicView } from '../../../../../registration/public-view.ts';

export const prerender = false;

export const GET = apiRoute('read', async ({ params }, deps) => {
  const path = parsePath(params, registrationIdParams);
  if (!path.ok) return path.response;
  const found = await getRegistration(deps.db, path.value.id);
  if (!found) return problem('not-found', `no registration ${JSON.stringify(path.value.id)}`);
  return noStoreJson(publicView(await expireIfOverdue(deps.db, found, deps.now())));
});

export const PATCH = apiRoute('write', async ({ request, params }, deps) => {
  const path = parsePath(params, registrationIdParams);
  if (!path.ok) return path.response;
  const auth = /^Bearer\s+(\S{1,200})$/i.exec(request.headers.get('authorization') ?? '');
  if (!auth) return problem('unauthorized', 'send the management secret as "Authorization: Bearer <secret>"', { headers: { 'www-authenticate': 'Bearer realm="chatlas"' } });
  const body = await parseJsonBody(request, registrationChangesSchema);
  if (!body.ok) return body.response;
  const outcome = await manageRegistration(deps.db, path.value.id, auth[1]!, body.value, deps.now());
  return outcome.ok ? noStoreJson(outcome.value) : refusalResponse(outcome);
});

export const OPTIONS = optionsRoute;
