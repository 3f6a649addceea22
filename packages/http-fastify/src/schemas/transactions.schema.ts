import { CASH_TYPES, DESCRIPTION_MAX_LENGTH, TRANSACTION_TYPES } from '@banking/domain';
import { Type } from 'typebox';
import { AmountIn, MoneyOut, PageQueryProperties, pageOf, QueryFilter, Timestamp, Uuid } from './common.schema.js';

export const Description = Type.Union([Type.String({ maxLength: DESCRIPTION_MAX_LENGTH }), Type.Null()], {
  description: `Optional free text, at most ${DESCRIPTION_MAX_LENGTH} characters`,
  examples: ['Initial deposit'],
});

export const PostTransactionBody = Type.Object(
  {
    amount: AmountIn,
    type: Type.String({ enum: [...CASH_TYPES], description: 'DEPOT (deposit) or RETRAIT (withdrawal)', examples: ['DEPOT'] }),
    description: Type.Optional(Description),
  },
  { additionalProperties: false, examples: [{ amount: 1000.0, type: 'DEPOT', description: 'Initial deposit' }] },
);

export const TransactionOut = Type.Object(
  {
    id: Uuid,
    account_id: Uuid,
    type: Type.String({ enum: [...TRANSACTION_TYPES], examples: ['DEPOT'] }),
    direction: Type.String({ enum: ['CREDIT', 'DEBIT'], examples: ['CREDIT'] }),
    amount: MoneyOut,
    balance_after: MoneyOut,
    description: Type.Union([Type.String(), Type.Null()], { examples: ['Initial deposit'] }),
    transfer_id: Type.Union([Uuid, Type.Null()]),
    counterparty_account_number: Type.Union([Type.String(), Type.Null()]),
    created_at: Timestamp,
  },
  { title: 'Transaction', description: 'The ledger line' },
);

export const TransactionPage = pageOf(TransactionOut, 'TransactionPage');

const DateBound = (description: string) =>
  QueryFilter(Type.String({ maxLength: 64, description: `${description}, such as 2026-01-01 or 2026-01-31T23:59:59Z; years 0001 to 9999` }));

export const ListTransactionsQuery = Type.Object({
  ...PageQueryProperties,
  type: QueryFilter(Type.String({ enum: [...TRANSACTION_TYPES] })),
  from_date: DateBound('ISO 8601 date or date-time, inclusive (a date alone means its start, UTC)'),
  to_date: DateBound('ISO 8601 date or date-time, inclusive (a date alone means its end, UTC)'),
});
