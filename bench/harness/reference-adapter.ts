// An in-memory adapter for oidc-provider, shaped like its default MemoryAdapter (same keys, same grant
// index for revokeByGrantId, expiry on read) but over an unbounded Map. The default keeps only the last
// ~1,000-2,000 entries (quick-lru, maxSize 1000): fine for development, but codes and refresh tokens minted
// before a timed run would be evicted before they are redeemed. Nothing here is slower than the default.
import type { Adapter } from 'oidc-provider';

interface Entry {
  value: unknown;
  expiresAt: number;
}

const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);
const storage = new Map<string, Entry>();

function get(key: string): unknown {
  const entry = storage.get(key);
  if (entry === undefined) return undefined;
  if (entry.expiresAt <= Date.now()) {
    storage.delete(key);
    return undefined;
  }
  return entry.value;
}

function set(key: string, value: unknown, expiresIn?: number): void {
  storage.set(key, { value, expiresAt: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity });
}

export class UnboundedMemoryAdapter implements Adapter {
  constructor(private readonly model: string) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    if (this.model === 'Session') set(`sessionUid:${String(payload.uid)}`, id, expiresIn);
    const grantId = payload.grantId;
    if (GRANTABLE.has(this.model) && typeof grantId === 'string') {
      const members = get(`grant:${grantId}`) as string[] | undefined;
      if (members) members.push(key);
      else set(`grant:${grantId}`, [key]);
    }
    if (typeof payload.userCode === 'string') set(`userCode:${payload.userCode}`, id, expiresIn);
    set(key, payload, expiresIn);
  }

  async find(id: string): Promise<Record<string, unknown> | undefined> {
    return get(this.key(id)) as Record<string, unknown> | undefined;
  }

  async findByUid(uid: string): Promise<Record<string, unknown> | undefined> {
    const id = get(`sessionUid:${uid}`);
    return typeof id === 'string' ? this.find(id) : undefined;
  }

  async findByUserCode(userCode: string): Promise<Record<string, unknown> | undefined> {
    const id = get(`userCode:${userCode}`);
    return typeof id === 'string' ? this.find(id) : undefined;
  }

  async consume(id: string): Promise<void> {
    const payload = get(this.key(id)) as Record<string, unknown> | undefined;
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    storage.delete(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const members = get(`grant:${grantId}`) as string[] | undefined;
    if (members) for (const key of members) storage.delete(key);
    storage.delete(`grant:${grantId}`);
  }
}
