// Step 4b: resource indicators (RFC 8707 §2.1): every resource named is registered and accepts the scopes asked for.
import { checkResources } from '../resources.js';
import type { AuthorizeStep } from './request.js';

export const checkResource: AuthorizeStep = async ({ params, request, services }) => {
  const resources = params.list('resource');
  await checkResources(services, resources, request.scopes!);
  request.resources = resources;
};
