// Storage failures (read-only or full disk, database unreachable or shutting down) answered as what they are:
// 503 temporarily_unavailable with Retry-After, so that clients retry instead of treating them as a bug (500).
import { isStorageUnavailable } from '../store/errors.js';
import { TemporarilyUnavailable } from '../oauth/errors.js';

/** How long clients are asked to wait before trying again. */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

export class StorageUnavailable extends TemporarilyUnavailable {
  constructor() {
    super(`the server cannot use its database right now; try again in ${STORAGE_RETRY_AFTER_SECONDS} s`, 503, STORAGE_RETRY_AFTER_SECONDS);
  }
}

/** The 503 error for a storage failure, or undefined for any other error. */
export function storageUnavailable(error: unknown): StorageUnavailable | undefined {
  return isStorageUnavailable(error) ? new StorageUnavailable() : undefined;
}
