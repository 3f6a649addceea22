/** The database could not be reached or opened at start-up. The message never carries a password. */
export class DatabaseUnavailable extends Error {
  readonly code = 'database_unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The connection string with its password replaced by `****`, or a placeholder when it is not a URL. */
export function maskDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password !== '') url.password = '****';
    return url.toString();
  } catch {
    return '(not a valid URL)';
  }
}
