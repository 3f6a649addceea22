import type { IdGenerator } from '@banking/domain';
import type { Test } from 'tap';

/** Lower-case canonical UUID (any version 1–8, RFC 9562 variant): the form databases return. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export async function idGeneratorContract(t: Test, ids: IdGenerator): Promise<void> {
  await t.test('ids: 1,000 ids are unique lower-case UUIDs', async (t) => {
    const all = Array.from({ length: 1000 }, () => ids.newId());
    t.equal(new Set(all).size, 1000, 'unique');
    const bad = all.filter((id) => !UUID.test(id));
    t.same(bad, [], 'UUID-shaped');
  });
}
