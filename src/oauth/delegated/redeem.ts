// The browser coming back from the platform's page with a verifier: the answered challenge is used once, and only
// by the browser that started the request. A refusal is shown to the user as a page (there is no trusted
// redirect_uri to send it to before the challenge is known) and changes nothing.
import type { ServicesWith } from '../../services.js';
import type { InteractionStore } from '../../store/interactions.js';
import type { ChallengeKind, ChallengeRecord } from '../../store/types.js';
import { sha256Hex } from '../../domain/crypto.js';

// Worded for sign-in, consent and sign-out alike: the page that shows them says which in its title.
const REFUSALS = {
  unknown: 'This link is not valid: it is unknown, or it expired and was cleaned up. Go back to the app and start again.',
  used: 'This step was already completed. Go back to the app and start again if you still need to.',
  other_browser: 'This was started in another browser (or the browser\'s cookies were cleared). Finish it where you started, or go back to the app and start again here.',
  expired: 'This took too long and expired. Go back to the app and start again.',
} as const;

export class VerifierRefused extends Error {
  constructor(readonly reason: keyof typeof REFUSALS) {
    super(REFUSALS[reason]);
    this.name = 'VerifierRefused';
  }
}

export async function redeemVerifier(
  services: ServicesWith<InteractionStore, 'now'>,
  kind: ChallengeKind,
  verifier: string,
  /** The browser-binding cookie's value; undefined when the browser sent none. */
  browser: string | undefined,
): Promise<ChallengeRecord> {
  if (browser === undefined) throw new VerifierRefused('other_browser');
  const result = await services.store.redeemVerifier(sha256Hex(verifier), kind, sha256Hex(browser), services.now());
  if (!result.ok) throw new VerifierRefused(result.reason);
  return result.challenge;
}
