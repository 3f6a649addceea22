import { psql, type PgServer } from './shell.js';

// Seeds the API's schema directly with SQL (generate_series), never through the API: users with
// 5 accounts each and `linesPerAccount` ledger lines per account, whose balances and balance_after
// chain are exactly what the API would have written (pnpm ledger:verify passes on it): deposits,
// then one transfer out to the next account and one transfer in from the previous one (a bank
// with a history of transfers; an empty `transfers` table would also make every new connection
// plan its foreign-key checks against it as a sequential scan, see the report's notes).
//
// Ids are made from ordinals so that the load generator can compute them without reading the
// database back: user u, account a, ledger line l and transfer t get
// 00000000-0000-4000-800{1,2,3,4}-<12 hex digits of the ordinal>; account a has number a on 12
// digits and belongs to user ceil(a / 5); transfer a goes from account a to account a % N + 1.

export const ACCOUNTS_PER_USER = 5;
/** Each seeded line deposits 1 000 000.00 (minor units): transfers of a few units never run dry. */
export const LINE_AMOUNT_MINOR = 100_000_000;

const ID_NAMESPACE = { user: '8001', account: '8002', line: '8003', transfer: '8004' } as const;
/** Each seeded transfer moves half a deposit. */
const TRANSFER_AMOUNT_MINOR = LINE_AMOUNT_MINOR / 2;

function idSql(namespace: keyof typeof ID_NAMESPACE, ordinal: string): string {
  return `('00000000-0000-4000-${ID_NAMESPACE[namespace]}-' || lpad(to_hex(${ordinal}), 12, '0'))::uuid`;
}

export function seededId(namespace: keyof typeof ID_NAMESPACE, ordinal: number): string {
  return `00000000-0000-4000-${ID_NAMESPACE[namespace]}-${ordinal.toString(16).padStart(12, '0')}`;
}

export function accountNumber(ordinal: number): string {
  return String(ordinal).padStart(12, '0');
}

export function seededEmail(userOrdinal: number): string {
  return `bench-${userOrdinal}@example.test`;
}

export interface SeedPlan {
  readonly accounts: number;
  readonly linesPerAccount: number;
  /** password_hash given to every seeded user (the hash of BENCH_PASSWORD made by the API). */
  readonly passwordHash: string;
}

export interface SeedResult {
  readonly users: number;
  readonly accounts: number;
  readonly ledgerLines: number;
  readonly seconds: number;
}

/**
 * Inserts the rows in chunks of accounts (ordered by id, so that every index grows at its end):
 * every account first (a transfer's destination may be in a later chunk), then the transfers,
 * then the lines; then VACUUM ANALYZE.
 */
export async function seed(server: PgServer, database: string, plan: SeedPlan, log: (line: string) => void): Promise<SeedResult> {
  if (plan.accounts % ACCOUNTS_PER_USER !== 0) throw new Error(`accounts must be a multiple of ${ACCOUNTS_PER_USER}`);
  if (plan.linesPerAccount < 3) throw new Error('linesPerAccount must be at least 3 (deposits, a transfer out, a transfer in)');
  const started = performance.now();
  const n = plan.accounts;
  const users = n / ACCOUNTS_PER_USER;
  const hash = plan.passwordHash.replaceAll("'", "''");
  const lines = plan.linesPerAccount;
  const deposits = lines - 2;
  const balance = `${deposits}::bigint * ${LINE_AMOUNT_MINOR}`;
  const next = (a: string) => `(${a} % ${n} + 1)`;
  const previous = (a: string) => `((${a} + ${n} - 2) % ${n} + 1)`;
  const number = (a: string) => `lpad((${a})::text, 12, '0')`;
  const at = (seconds: string) => `now() - interval '1 day' + (${seconds}) * interval '1 second'`;
  await psql(
    server,
    database,
    `insert into users (id, email, full_name, password_hash, created_at)
     select ${idSql('user', 'u')}, 'bench-' || u || '@example.test', 'Bench User ' || u, '${hash}', now() - interval '1 day'
     from generate_series(1, ${users}) u;`,
  );
  const chunk = 100_000;
  const chunks = (sqlFor: (first: number, last: number) => string) => async (what: string) => {
    for (let first = 1; first <= n; first += chunk) {
      const last = Math.min(n, first + chunk - 1);
      await psql(server, database, sqlFor(first, last));
      if (n > chunk) log(`seed: ${what} ${last.toLocaleString('en')} / ${n.toLocaleString('en')}`);
    }
  };
  await chunks(
    (first, last) =>
      `insert into accounts (id, number, owner_id, type, status, currency, balance, version, created_at, updated_at)
       select ${idSql('account', 'a')}, ${number('a')}, ${idSql('user', `((a - 1) / ${ACCOUNTS_PER_USER} + 1)`)},
              case when a % 2 = 0 then 'EPARGNE' else 'COURANT' end, 'ACTIVE', 'HTG',
              ${balance}, ${lines}, now() - interval '1 day', ${at(String(lines))}
       from generate_series(${first}, ${last}) a;`,
  )('accounts');
  await chunks(
    (first, last) =>
      `insert into transfers (id, from_account_id, to_account_id, from_account_number, to_account_number, amount, currency, description, from_balance_after, created_at)
       select ${idSql('transfer', 'a')}, ${idSql('account', 'a')}, ${idSql('account', next('a'))}, ${number('a')}, ${number(next('a'))},
              ${TRANSFER_AMOUNT_MINOR}, 'HTG', 'seed', ${balance} - ${TRANSFER_AMOUNT_MINOR}, ${at(String(deposits + 1))}
       from generate_series(${first}, ${last}) a;`,
  )('transfers');
  await chunks(
    (first, last) =>
      `insert into ledger_entries (id, account_id, sequence, type, direction, amount, balance_after, currency, description, transfer_id, counterparty_account_number, created_at)
       select ${idSql('line', `((a - 1) * ${lines} + s)`)}, ${idSql('account', 'a')}, s,
              case when s <= ${deposits} then 'DEPOT' else 'VIREMENT' end,
              case when s = ${deposits + 1} then 'DEBIT' else 'CREDIT' end,
              case when s <= ${deposits} then ${LINE_AMOUNT_MINOR} else ${TRANSFER_AMOUNT_MINOR} end,
              case when s <= ${deposits} then s::bigint * ${LINE_AMOUNT_MINOR}
                   when s = ${deposits + 1} then ${balance} - ${TRANSFER_AMOUNT_MINOR}
                   else ${balance} end,
              'HTG', 'seed',
              case when s = ${deposits + 1} then ${idSql('transfer', 'a')} when s = ${lines} then ${idSql('transfer', previous('a'))} end,
              case when s = ${deposits + 1} then ${number(next('a'))} when s = ${lines} then ${number(previous('a'))} end,
              ${at('s')}
       from generate_series(${first}, ${last}) a, generate_series(1, ${lines}) s
       order by a, s;`,
  )('ledger lines');
  await psql(server, database, 'vacuum analyze;');
  return { users, accounts: n, ledgerLines: n * lines, seconds: (performance.now() - started) / 1000 };
}
