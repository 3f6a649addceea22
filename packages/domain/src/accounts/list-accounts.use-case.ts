import type { BankingDeps } from '../banking-deps.js';
import { ValidationFailed } from '../errors.js';
import type { AccountFilter } from '../ports.js';
import { pageRequest, toPage, type Page } from '../shared/pagination.js';
import { ACCOUNT_STATUSES, ACCOUNT_TYPES, type Account, type AccountStatus, type AccountType } from './account.js';
import { readThrough } from './account-cache.js';

export interface ListAccountsQuery {
  readonly userId: string;
  readonly status?: string | undefined;
  readonly type?: string | undefined;
  readonly page?: number | undefined;
  readonly pageSize?: number | undefined;
}

/** The caller's accounts, oldest first. */
export class ListAccounts {
  constructor(private readonly deps: Pick<BankingDeps, 'uow' | 'cache' | 'policy'>) {}

  async execute(query: ListAccountsQuery): Promise<Page<Account>> {
    const page = pageRequest(query.page, query.pageSize);
    const filter = accountFilter(query);
    const key = `accounts:${filter.status ?? '*'}:${filter.type ?? '*'}:${page.page}:${page.pageSize}`;
    return readThrough(this.deps, query.userId, key, async () => {
      const slice = await this.deps.uow.read((store) => store.accounts.listByOwner(query.userId, filter, page));
      return toPage(slice, page);
    });
  }
}

function accountFilter(query: ListAccountsQuery): AccountFilter {
  const errors = [];
  if (query.status !== undefined && !ACCOUNT_STATUSES.includes(query.status as AccountStatus)) {
    errors.push({ field: 'status', message: `must be one of ${ACCOUNT_STATUSES.join(', ')}` });
  }
  if (query.type !== undefined && !ACCOUNT_TYPES.includes(query.type as AccountType)) {
    errors.push({ field: 'account_type', message: `must be one of ${ACCOUNT_TYPES.join(', ')}` });
  }
  if (errors.length > 0) throw new ValidationFailed(errors);
  return {
    ...(query.status !== undefined && { status: query.status as AccountStatus }),
    ...(query.type !== undefined && { type: query.type as AccountType }),
  };
}
