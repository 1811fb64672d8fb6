// The platform's leads, per user (the token's `sub`). In memory: the example is about access, not storage.
import { randomUUID } from 'node:crypto';

export interface Lead {
  id: string;
  name: string;
  company: string;
  email: string;
  createdAt: string;
}

export class LeadStore {
  private readonly byOwner = new Map<string, Lead[]>();

  list(owner: string): Lead[] {
    return [...(this.byOwner.get(owner) ?? [])];
  }

  add(owner: string, input: { name: string; company: string; email: string }): Lead {
    const lead = { id: randomUUID(), ...input, createdAt: new Date().toISOString() };
    this.byOwner.set(owner, [...(this.byOwner.get(owner) ?? []), lead]);
    return lead;
  }
}

export const SAMPLE_LEADS = [
  { name: 'Ada Lovelace', company: 'Analytical Engines Ltd', email: 'ada@example.com' },
  { name: 'Grace Hopper', company: 'COBOL Consulting', email: 'grace@example.com' },
  { name: 'Katherine Johnson', company: 'Orbital Mechanics Inc', email: 'katherine@example.com' },
];
