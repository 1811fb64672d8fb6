// Errors the store raises on purpose. Driver errors that callers must recognise are mapped to these,
// so nothing above the store ever looks at SQLite or PostgreSQL error codes.

/** A record could not be created because one with the same key (client id, username, ...) exists. */
export class DuplicateError extends Error {
  constructor(
    /** The record field that collided, e.g. 'clientId' or 'username' (comma-separated when several). */
    readonly field: string,
    /** The table, e.g. 'clients' or 'users'. */
    readonly table: string,
    options?: { cause?: unknown },
  ) {
    super(`a ${table.replace(/s$/, '').replace(/_/g, ' ')} with this ${field} already exists`, options);
    this.name = 'DuplicateError';
  }
}

const camel = (column: string): string => column.trim().replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** The DuplicateError a unique-constraint violation of either driver stands for, or undefined. */
export function toDuplicateError(error: unknown): DuplicateError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, detail, table } = error as { code?: unknown; message?: unknown; detail?: unknown; table?: unknown };

  // better-sqlite3: code SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY, message "UNIQUE constraint failed: users.username".
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const columns = /constraint failed: (.+)$/.exec(String(message))?.[1]?.split(',') ?? [];
    const tableName = columns[0]?.split('.')[0]?.trim() ?? 'record';
    const field = columns.map((column) => camel(column.split('.').pop() ?? column)).join(',');
    return new DuplicateError(field || 'key', tableName, { cause: error });
  }

  // pg: SQLSTATE 23505 with detail "Key (username)=(bob) already exists." and the table name.
  if (code === '23505') {
    const columns = /^Key \((.+?)\)=/.exec(String(detail ?? ''))?.[1]?.split(',') ?? [];
    const field = columns.map(camel).join(',');
    return new DuplicateError(field || 'key', typeof table === 'string' ? table : 'record', { cause: error });
  }
  return undefined;
}

/** Rethrows a unique-constraint violation as a DuplicateError, anything else as it is. */
export function rethrowDuplicate(error: unknown): never {
  throw toDuplicateError(error) ?? error;
}

// SQLite result codes (better-sqlite3 puts the extended name in `code`) that mean the database cannot serve
// right now — read-only or full disk, I/O error, locked by another process — not that the request was wrong.
const SQLITE_UNAVAILABLE = /^SQLITE_(READONLY|FULL|IOERR|BUSY|LOCKED|CANTOPEN|PROTOCOL|NOLFS)(_|$)/;
// PostgreSQL SQLSTATEs of the same kind: connection exceptions (08), insufficient resources (53: disk full, out
// of memory, too many connections), operator intervention (57P01-57P03: shut down, crashed, starting; 57014:
// statement timeout), system errors (58), a read-only transaction (25006), lock timeouts (55P03), and
// serialization failures and deadlocks (40001, 40P01), which succeed when tried again.
const POSTGRES_UNAVAILABLE = /^(08...|53...|57P0[123]|57014|58...|25006|55P03|40001|40P01)$/;
// Node's system errors from the network (the PostgreSQL server is gone) or the file system (the disk is full,
// read-only or failing, e.g. when the SQLite WAL is synced).
const SYSTEM_UNAVAILABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH',
  'EIO', 'ENOSPC', 'EROFS', 'EDQUOT',
]);
// pg's own errors carry no code, only these messages.
const PG_CONNECTION_MESSAGE = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Connection terminated due to connection timeout)/;

/**
 * Whether an error means the database is unavailable (read-only, full, failing, unreachable, shutting down)
 * rather than a bug: such failures answer 503 and ask the client to retry. Looks through `cause` chains.
 */
export function isStorageUnavailable(error: unknown): boolean {
  for (let depth = 0; depth < 5 && typeof error === 'object' && error !== null; depth++) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (SQLITE_UNAVAILABLE.test(code) || POSTGRES_UNAVAILABLE.test(code) || SYSTEM_UNAVAILABLE.has(code)) return true;
    }
    if (typeof message === 'string' && PG_CONNECTION_MESSAGE.test(message)) return true;
    error = (error as { cause?: unknown }).cause;
  }
  return false;
}
