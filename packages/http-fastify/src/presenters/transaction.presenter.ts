import type { LedgerEntry, Page } from '@banking/domain';
import type { Static } from 'typebox';
import type { TransactionOut, TransactionPage } from '../schemas/transactions.schema.js';
import { moneyOut } from './money.presenter.js';
import { presentPage } from './page.presenter.js';

export function presentTransaction(entry: LedgerEntry): Static<typeof TransactionOut> {
  return {
    id: entry.id,
    account_id: entry.accountId,
    type: entry.type,
    direction: entry.direction,
    amount: moneyOut(entry.amount, entry.currency),
    balance_after: moneyOut(entry.balanceAfter, entry.currency),
    description: entry.description,
    transfer_id: entry.transferId,
    counterparty_account_number: entry.counterpartyAccountNumber,
    created_at: entry.createdAt,
  };
}

export function presentTransactionPage(page: Page<LedgerEntry>): Static<typeof TransactionPage> {
  return presentPage(page, presentTransaction);
}
