// Step 6: OIDC prompt, max_age, nonce and state.
import { InvalidRequest } from '../errors.js';
import type { AuthorizeStep, Prompt } from './request.js';

const PROMPTS: Prompt[] = ['none', 'login', 'consent'];

export const checkPrompt: AuthorizeStep = ({ params, request }) => {
  const prompt = (params.optional('prompt') ?? '').split(' ').filter(Boolean);
  for (const value of prompt) {
    if (!PROMPTS.includes(value as Prompt)) {
      throw new InvalidRequest(`prompt "${value}" is not supported; use none, login or consent`);
    }
  }
  if (prompt.includes('none') && prompt.length > 1) throw new InvalidRequest('prompt=none cannot be combined with other prompt values');
  request.prompt = [...new Set(prompt)] as Prompt[];

  const maxAge = params.optional('max_age');
  if (maxAge !== undefined) {
    if (!/^\d{1,9}$/.test(maxAge)) throw new InvalidRequest('max_age must be a whole number of seconds');
    request.maxAge = Number(maxAge);
  }
  request.nonce = params.optional('nonce');
  request.state = params.optional('state');
};
