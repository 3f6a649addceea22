import { storeContract } from '@banking/testing';
import t from 'tap';
import { embeddedDatabase } from './support/embedded.js';

await t.test('the store contract, on embedded PGlite', async (t) => {
  const { database } = await embeddedDatabase(t);
  t.equal(database.kind, 'pglite');
  // One database for the whole suite: its subtests use fresh ids and never need an empty store.
  await storeContract(t, async () => ({ uow: database.uow, close: async () => {} }));
});
