import { psql, type PgServer } from './shell.js';

// Seeds the API's schema directly with SQL (generate_series), never through the API: users with
// 5 accounts each, and `linesPerAccount` DEPOT lines per account whose balances and balance_after
// chain are exactly what the API would have written (pnpm ledger:verify passes on it).
//
// Ids are made from ordinals so that the load generator can compute them without reading the
// database back: user u, account a and ledger line l get
// 00000000-0000-4000-800{1,2,3}-<12 hex digits of the ordinal>; account a has number a on 12 digits
// and belongs to user ceil(a / 5).

export const ACCOUNTS_PER_USER = 5;
/** Each seeded line deposits 1 000 000.00 (minor units): transfers of a few units never run dry. */
export const LINE_AMOUNT_MINOR = 100_000_000;

const ID_NAMESPACE = { user: '8001', account: '8002', line: '8003' } as const;

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

/** Inserts the rows in chunks of accounts (ordered by id, so every index grows at its end), then VACUUM ANALYZE. */
export async function seed(server: PgServer, database: string, plan: SeedPlan, log: (line: string) => void): Promise<SeedResult> {
  if (plan.accounts % ACCOUNTS_PER_USER !== 0) throw new Error(`accounts must be a multiple of ${ACCOUNTS_PER_USER}`);
  const started = performance.now();
  const users = plan.accounts / ACCOUNTS_PER_USER;
  const hash = plan.passwordHash.replaceAll("'", "''");
  const lines = plan.linesPerAccount;
  await psql(
    server,
    database,
    `insert into users (id, email, full_name, password_hash, created_at)
     select ${idSql('user', 'u')}, 'bench-' || u || '@example.test', 'Bench User ' || u, '${hash}', now() - interval '1 day'
     from generate_series(1, ${users}) u;`,
  );
  const chunk = 100_000;
  for (let first = 1; first <= plan.accounts; first += chunk) {
    const last = Math.min(plan.accounts, first + chunk - 1);
    await psql(
      server,
      database,
      `begin;
       insert into accounts (id, number, owner_id, type, status, currency, balance, version, created_at, updated_at)
       select ${idSql('account', 'a')}, lpad(a::text, 12, '0'), ${idSql('user', `((a - 1) / ${ACCOUNTS_PER_USER} + 1)`)},
              case when a % 2 = 0 then 'EPARGNE' else 'COURANT' end, 'ACTIVE', 'HTG',
              ${lines}::bigint * ${LINE_AMOUNT_MINOR}, ${lines}, now() - interval '1 day', now() - interval '1 day'
       from generate_series(${first}, ${last}) a;
       insert into ledger_entries (id, account_id, sequence, type, direction, amount, balance_after, currency, description, created_at)
       select ${idSql('line', `((a - 1) * ${lines} + s)`)}, ${idSql('account', 'a')}, s, 'DEPOT', 'CREDIT',
              ${LINE_AMOUNT_MINOR}, s::bigint * ${LINE_AMOUNT_MINOR}, 'HTG', 'seed',
              now() - interval '1 day' + s * interval '1 second'
       from generate_series(${first}, ${last}) a, generate_series(1, ${lines}) s
       order by a, s;
       commit;`,
    );
    if (plan.accounts > chunk) log(`seed: ${last.toLocaleString('en')} / ${plan.accounts.toLocaleString('en')} accounts`);
  }
  await psql(server, database, 'vacuum analyze;');
  return { users, accounts: plan.accounts, ledgerLines: plan.accounts * lines, seconds: (performance.now() - started) / 1000 };
}
