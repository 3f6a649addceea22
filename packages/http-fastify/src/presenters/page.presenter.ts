import type { Page } from '@banking/domain';
import type { Static, TSchema } from 'typebox';
import type { pageOf } from '../schemas/common.schema.js';

/** The page shape of pageOf (common.schema.ts), around items of any presenter. */
export type PageOut<U> = Omit<Static<ReturnType<typeof pageOf<TSchema>>>, 'items'> & { items: U[] };

export function presentPage<T, U>(page: Page<T>, present: (item: T) => U): PageOut<U> {
  return {
    items: page.items.map(present),
    total: page.total,
    page: page.page,
    page_size: page.pageSize,
    total_pages: page.totalPages,
  };
}
