import type { Transfer } from '@banking/domain';
import type { Static } from 'typebox';
import type { TransferOut } from '../schemas/transfers.schema.js';
import { moneyOut } from './money.presenter.js';

/** `new_balance` is the source's balance after the transfer: shown only to the source's owner. */
export function presentTransfer(transfer: Transfer, showSourceBalance: boolean): Static<typeof TransferOut> {
  return {
    transfer_id: transfer.id,
    status: 'success',
    from_account: transfer.fromAccountNumber,
    to_account: transfer.toAccountNumber,
    amount: moneyOut(transfer.amount, transfer.currency),
    currency: transfer.currency,
    new_balance: showSourceBalance ? moneyOut(transfer.fromBalanceAfter, transfer.currency) : null,
    description: transfer.description,
    created_at: transfer.createdAt,
  };
}
