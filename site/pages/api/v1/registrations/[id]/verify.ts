/** POST /api/v1/registrations/{id}/verify: check the published token now. */
import { apiRoute } from '../../../../../lib/api/route.ts';
import { parsePath } from '../../../../../lib/api/validate.ts';
import { registrationIdParams } from '../../../../../lib/api/schemas.ts';
import { noStoreJson, refusalResponse } from '../../../../../lib/api/outcome-response.ts';
import { verifyRegistration } from '../../../../../../registration/verify-registration.ts';

export const prerender = false;

export const POST = apiRoute('write', async ({ params }, deps) => {
  const path = parsePath(params, registrationIdParams);
  if (!path.ok) return path.response;
  const outcome = await verifyRegistration(deps.db, deps.registration, path.value.id, deps.now());
  return outcome.ok ? noStoreJson(outcome.value) : refusalResponse(outcome);
});
