// The two ways an administrative action fails besides bad input (domain/clients.ts, domain/accounts.ts): what it
// names does not exist, or what it would make exists already. The admin API answers 404 and 409, the CLI exits 1;
// both show the message, which names the thing (never a secret).

export class NotFound extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFound';
  }
}

export class AlreadyExists extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlreadyExists';
  }
}
