import type { BankingDeps } from '../banking-deps.js';
import { AccountNotFound, ValidationFailed, type FieldError } from '../errors.js';
import type { LedgerFilter } from '../ports.js';
import { pageRequest, toPage, type Page } from '../shared/pagination.js';
import { TRANSACTION_TYPES, type LedgerEntry, type TransactionType } from './ledger-entry.js';

export interface ListTransactionsQuery {
  readonly userId: string;
  readonly accountId: string;
  readonly type?: string | undefined;
  /** ISO 8601 instants, UTC unless an offset is given (a date alone means its midnight); both bounds inclusive. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly page?: number | undefined;
  readonly pageSize?: number | undefined;
}

/** An account's ledger lines, newest first. */
export class ListTransactions {
  constructor(private readonly deps: Pick<BankingDeps, 'uow'>) {}

  async execute(query: ListTransactionsQuery): Promise<Page<LedgerEntry>> {
    const page = pageRequest(query.page, query.pageSize);
    const filter = ledgerFilter(query);
    const slice = await this.deps.uow.read(async (store) => {
      const account = await store.accounts.findById(query.accountId);
      if (account === undefined || account.ownerId !== query.userId) throw new AccountNotFound();
      return store.ledger.listByAccount(account.id, filter, page);
    });
    return toPage(slice, page);
  }
}

/** The first and last milliseconds of years 0001-9999 (UTC): the instants every store can hold. */
const FIRST_INSTANT = Date.parse('0001-01-01T00:00:00.000Z');
const LAST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A date alone stands for its whole UTC day: its first millisecond as a lower bound, its last as an upper one. */
function instant(text: string | undefined, field: string, errors: FieldError[], bound: 'from' | 'to'): string | undefined {
  if (text === undefined) return undefined;
  const match = ISO_INSTANT.exec(text);
  // Without an offset the text is UTC (Date.parse would read a date-time as the server's local time).
  const utc = text.length === 10 ? `${text}T00:00:00Z` : match?.[4] === undefined ? `${text}Z` : text;
  const time = match ? Date.parse(utc) : NaN;
  if (Number.isNaN(time) || !isCalendarDate(Number(match?.[1]), Number(match?.[2]), Number(match?.[3]))) {
    errors.push({ field, message: 'must be an ISO 8601 date or date-time' });
    return undefined;
  }
  const dayEnd = text.length === 10 && bound === 'to' ? 24 * 60 * 60 * 1000 - 1 : 0;
  // An offset can carry a date in range out of it (9999-12-31T23:59-14:00 is in year 10000).
  if (time + dayEnd < FIRST_INSTANT || time + dayEnd > LAST_INSTANT) {
    errors.push({ field, message: 'must fall within years 0001 to 9999 once its offset is applied' });
    return undefined;
  }
  return new Date(time + dayEnd).toISOString();
}

/** Date.parse rolls impossible days over (2026-02-30 becomes March 2); those are refused instead. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function ledgerFilter(query: ListTransactionsQuery): LedgerFilter {
  const errors: FieldError[] = [];
  if (query.type !== undefined && !TRANSACTION_TYPES.includes(query.type as TransactionType)) {
    errors.push({ field: 'type', message: `must be one of ${TRANSACTION_TYPES.join(', ')}` });
  }
  const from = instant(query.from, 'from_date', errors, 'from');
  const to = instant(query.to, 'to_date', errors, 'to');
  if (from !== undefined && to !== undefined && from > to) {
    errors.push({ field: 'from_date', message: 'must not be after to_date' });
  }
  if (errors.length > 0) throw new ValidationFailed(errors);
  return {
    ...(query.type !== undefined && { type: query.type as TransactionType }),
    ...(from !== undefined && { from }),
    ...(to !== undefined && { to }),
  };
}
