/**
 * prompt, max_age and login_hint (OIDC Core §3.1.2.1). `prompt` takes none | login | consent
 * (`none` alone); consent is accepted as given until consent pages exist. `max_age` is 0..2^31-1
 * seconds, and `prompt=none` with `max_age=0` can never succeed.
 */
import { OAuthError } from '../../errors/oauth-error.js';
import type { AuthorizeStep } from './context.js';

const PROMPTS = ['none', 'login', 'consent'];
const SUPPORTED = 'none, consent, login, login consent, consent login';
const MAX_LOGIN_HINT = 256;

export const checkPrompt: AuthorizeStep = (ctx) => {
  const raw = ctx.params.get('prompt');
  const prompt = new Set((raw ?? '').split(' ').filter((p) => p !== ''));
  if ([...prompt].some((p) => !PROMPTS.includes(p)) || (prompt.has('none') && prompt.size > 1)) {
    throw OAuthError.of('invalid_prompt', SUPPORTED);
  }
  ctx.prompt = prompt;

  const maxAge = ctx.params.get('max_age');
  if (maxAge !== undefined) {
    if (!/^\d{1,10}$/.test(maxAge) || Number(maxAge) > 2 ** 31 - 1) throw OAuthError.of('invalid_max_age');
    ctx.maxAge = Number(maxAge);
    if (ctx.maxAge === 0 && prompt.has('none')) throw OAuthError.of('invalid_prompt_for_zero_max_age');
  }

  const hint = ctx.params.get('login_hint');
  if (hint !== undefined && hint.length <= MAX_LOGIN_HINT) ctx.loginHint = hint;
};
