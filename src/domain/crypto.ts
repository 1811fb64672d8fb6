// Random values, hashes, constant-time comparison and sealing of data at rest: the only primitives the domain uses.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

// Random bytes are drawn from the CSPRNG in blocks and handed out in slices: one call per request for a
// few bytes costs far more (a trip into OpenSSL each) than the bytes themselves. Each byte is used once.
const POOL_SIZE = 16 * 1024;
let pool = randomBytes(POOL_SIZE);
let poolOffset = 0;

function freshBytes(size: number): Buffer {
  if (poolOffset + size > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + size);
  poolOffset += size;
  return bytes;
}

/** A random URL-safe value with 256 bits of entropy, optionally prefixed so leaked tokens are recognisable. */
export function randomToken(prefix = ''): string {
  return prefix + freshBytes(32).toString('base64url');
}

export function randomId(): string {
  return freshBytes(16).toString('base64url');
}

/** `length` characters drawn uniformly from `alphabet` (each by rejection sampling, so none is likelier). */
export function randomString(alphabet: string, length: number): string {
  let value = '';
  for (let i = 0; i < length; i++) value += alphabet[randomInt(alphabet.length)];
  return value;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function sha256Base64Url(value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares two secrets (or their hashes) without leaking where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    // Compare anyway so the time does not depend on where a length mismatch is found.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

function deriveKey(secret: string | Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `gatehouse:${purpose}`, 32));
}

/** AES-256-GCM with a key derived from `secret` for one `purpose`; output is "v1.iv.tag.ciphertext" in base64url. */
export function seal(plaintext: string, secret: string | Buffer, purpose: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secret, purpose), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** Opens what `seal` made; throws when the secret or purpose differs or the data was altered. */
export function unseal(sealed: string, secret: string | Buffer, purpose: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('sealed value has an unknown format');
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(secret, purpose), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

/** HMAC-SHA-256 of `value` with a key derived from `secret` for one `purpose`, in base64url: integrity, not secrecy. */
export function mac(value: string, secret: string | Buffer, purpose: string): string {
  return createHmac('sha256', deriveKey(secret, purpose)).update(value).digest('base64url');
}
