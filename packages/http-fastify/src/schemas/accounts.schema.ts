import { ACCOUNT_STATUSES, ACCOUNT_TYPES } from '@banking/domain';
import { Type } from 'typebox';
import { Currency, MoneyOut, PageQueryProperties, pageOf, QueryFilter, Timestamp, Uuid } from './common.schema.js';

export const AccountType = Type.String({ enum: [...ACCOUNT_TYPES], examples: ['COURANT'] });
export const AccountStatus = Type.String({ enum: [...ACCOUNT_STATUSES], examples: ['ACTIVE'] });
export const AccountNumber = Type.String({ pattern: '^[0-9]{12}$', description: '12 digits', examples: ['482910374615'] });

export const OpenAccountBody = Type.Object(
  {
    account_type: AccountType,
    currency: Type.Optional({ ...Currency, default: 'HTG' }),
  },
  { additionalProperties: false, examples: [{ account_type: 'COURANT', currency: 'HTG' }] },
);

export const AccountOut = Type.Object(
  {
    id: Uuid,
    account_number: AccountNumber,
    account_type: AccountType,
    currency: Currency,
    balance: MoneyOut,
    status: AccountStatus,
    owner_id: Uuid,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { title: 'Account', description: 'The account' },
);

export const AccountPage = pageOf(AccountOut, 'AccountPage');

export const ListAccountsQuery = Type.Object({
  ...PageQueryProperties,
  status: QueryFilter(AccountStatus),
  account_type: QueryFilter(AccountType),
});

export const AccountParams = Type.Object({ id: Uuid });

export const BalanceOut = Type.Object(
  {
    account_id: Uuid,
    account_number: AccountNumber,
    balance: MoneyOut,
    currency: Currency,
    as_of: Timestamp,
  },
  { title: 'Balance', description: 'The balance, as of now' },
);
