import type { Account, Balance, Page } from '@banking/domain';
import { moneyOut } from './money.presenter.js';
import { presentPage } from './page.presenter.js';

export function presentAccount(account: Account) {
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

export function presentAccountPage(page: Page<Account>) {
  return presentPage(page, presentAccount);
}

export function presentBalance(balance: Balance) {
  return {
    account_id: balance.accountId,
    account_number: balance.accountNumber,
    balance: moneyOut(balance.balance, balance.currency),
    currency: balance.currency,
    as_of: balance.asOf,
  };
}
