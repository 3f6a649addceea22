import type { Test } from 'tap';
import { accountCases } from './store/accounts.cases.js';
import { concurrencyCases } from './store/concurrency.cases.js';
import { eventCases } from './store/events.cases.js';
import { idempotencyCases } from './store/idempotency.cases.js';
import { invariantCases } from './store/invariants.cases.js';
import { ledgerCases } from './store/ledger.cases.js';
import { movementCases } from './store/movements.cases.js';
import { sessionCases } from './store/sessions.cases.js';
import type { OpenStore } from './store/store-harness.js';
import { transferCases } from './store/transfers.cases.js';
import { unitOfWorkCases } from './store/unit-of-work.cases.js';
import { userCases } from './store/users.cases.js';

export type { StoreHarness } from './store/store-harness.js';

/**
 * The contract of a store: UnitOfWork, its repositories, the movement writer and the outbox.
 * Every database adapter runs it.
 * `open()` is called once per subtest and the harness closed after it; subtests use fresh ids,
 * so a harness may share one database (it never needs to be empty).
 */
export async function storeContract(t: Test, open: OpenStore): Promise<void> {
  await unitOfWorkCases(t, open);
  await userCases(t, open);
  await accountCases(t, open);
  await concurrencyCases(t, open);
  await invariantCases(t, open);
  await ledgerCases(t, open);
  await transferCases(t, open);
  await idempotencyCases(t, open);
  await sessionCases(t, open);
  await movementCases(t, open);
  await eventCases(t, open);
}
