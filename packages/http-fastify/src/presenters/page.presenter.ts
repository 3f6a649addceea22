import type { Page } from '@banking/domain';

export function presentPage<T, U>(page: Page<T>, present: (item: T) => U) {
  return {
    items: page.items.map(present),
    total: page.total,
    page: page.page,
    page_size: page.pageSize,
    total_pages: page.totalPages,
  };
}
