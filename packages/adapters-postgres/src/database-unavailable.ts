import { StoreUnavailable } from '@banking/domain';

/** The database could not be reached or opened. The message never carries a password. */
export class DatabaseUnavailable extends StoreUnavailable {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    if (options?.cause !== undefined) this.cause = options.cause;
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
