import { randomUUID } from 'node:crypto';
import type { IdGenerator } from '@banking/domain';

/** Random (version 4) UUIDs from the operating system's CSPRNG. */
export class UuidIds implements IdGenerator {
  newId(): string {
    return randomUUID();
  }
}
