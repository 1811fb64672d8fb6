// The login session's id as the platform's pages see it (Hydra's session_id / login_session_id): derived from the
// session's stored hash, so it names the session without revealing anything that could be turned into its cookie.
import { sha256Hex } from '../../domain/crypto.js';
import type { SessionRecord } from '../../store/types.js';

export function loginSessionId(session: SessionRecord): string {
  return sha256Hex(`login-session:${session.idHash}`).slice(0, 32);
}
