import type { Banking } from '@banking/domain';

/** What every route plugin receives: the use cases, nothing else. */
export interface RouteDeps {
  readonly banking: Banking;
}
