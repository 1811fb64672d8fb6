// What the platform's login/consent app did wrong when answering a challenge, as the admin API says it
// (Hydra's status codes: 404 unknown or expired, 409 already answered, 400 a bad answer).
export class ChallengeError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 410,
    readonly code: 'invalid_request' | 'not_found' | 'conflict' | 'gone',
    description: string,
  ) {
    super(description);
    this.name = 'ChallengeError';
  }
}
