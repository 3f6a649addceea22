import { Type } from 'typebox';
import { AccountNumber } from './accounts.schema.js';
import { AmountIn, Currency, MoneyOut, NullableMoneyOut, Timestamp, Uuid } from './common.schema.js';
import { Description } from './transactions.schema.js';

export const TransferBody = Type.Object(
  {
    from_account_id: Uuid,
    to_account_number: AccountNumber,
    amount: AmountIn,
    description: Type.Optional(Description),
  },
  {
    additionalProperties: false,
    examples: [
      { from_account_id: '3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d', to_account_number: '482910374615', amount: 250.5, description: 'Rent' },
    ],
  },
);

export const TransferOut = Type.Object(
  {
    transfer_id: Uuid,
    status: Type.Literal('success'),
    from_account: AccountNumber,
    to_account: AccountNumber,
    amount: MoneyOut,
    currency: Currency,
    new_balance: NullableMoneyOut("The source account's balance right after the transfer (null for the receiving side)"),
    description: Type.Union([Type.String(), Type.Null()]),
    created_at: Timestamp,
  },
  { title: 'Transfer', description: 'The transfer' },
);

export const TransferParams = Type.Object({ transfer_id: Uuid });
