/** A write hit a unique constraint; repositories throw this instead of a driver-specific error. */
export class DuplicateKeyError extends Error {
  constructor(readonly constraint: string) {
    super(`Duplicate key for ${constraint}`);
    this.name = 'DuplicateKeyError';
  }
}

/** better-sqlite3 and pg report a unique violation differently; this knows both. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** A change was rolled back because it would have left no enabled admin account. */
export class NoAdminLeftError extends Error {
  constructor() {
    super('The change would leave no enabled admin');
    this.name = 'NoAdminLeftError';
  }
}
