import type { Account, Balance, Page } from '@banking/domain';
import type { Static } from 'typebox';
import type { AccountOut, AccountPage, BalanceOut } from '../schemas/accounts.schema.js';
import { moneyOut } from './money.presenter.js';
import { presentPage } from './page.presenter.js';

export function presentAccount(account: Account): Static<typeof AccountOut> {
  return {
    id: account.id,
    account_number: account.number,
    account_type: account.type,
    currency: account.currency,
    balance: moneyOut(account.balance, account.currency),
    status: account.status,
    owner_id: account.ownerId,
    created_at: account.createdAt,
    updated_at: account.updatedAt,
  };
}

export function presentAccountPage(page: Page<Account>): Static<typeof AccountPage> {
  return presentPage(page, presentAccount);
}

export function presentBalance(balance: Balance): Static<typeof BalanceOut> {
  return {
    account_id: balance.accountId,
    account_number: balance.accountNumber,
    balance: moneyOut(balance.balance, balance.currency),
    currency: balance.currency,
    as_of: balance.asOf,
  };
}
