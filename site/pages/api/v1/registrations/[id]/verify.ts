/** POST /api/v1/registrations/{id}/verify: check the published token now. */
import { apiRoute, optionsRoute } from '../../../../../lib/api/route.ts';
import { parseOptionalJsonBody, parsePath } from '../../../../../lib/api/validate.ts';
import { registrationIdParams, verifyRequestSchema } from '../../../../../lib/api/schemas.ts';
import { noStoreJson, refusalResponse } from '../../../../../lib/api/outcome-response.ts';
import { verifyRegistration } from '../../../../../../registration/verify-registration.ts';

export const prerender = false;

export const POST = apiRoute('write', async ({ request, params }, deps) => {
  const path = parsePath(params, registrationIdParams);
  if (!path.ok) return path.response;
  // The body carries nothing, but what is sent is judged as documented (no body, or a JSON object).
  const body = await parseOptionalJsonBody(request, verifyRequestSchema);
  if (!body.ok) return body.response;
  const outcome = await verifyRegistration(deps.db, deps.registration, path.value.id, deps.now());
  return outcome.ok ? noStoreJson(outcome.value) : refusalResponse(outcome);
});

export const OPTIONS = optionsRoute;
