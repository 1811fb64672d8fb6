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
