import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.js';

export interface LedgerViolation {
  /** Which invariant: balance_matches_lines, balance_after_chain, negative, transfer_legs, money_supply, currency, events. */
  readonly check: string;
  readonly detail: string;
}

export interface LedgerSummary {
  readonly accounts: number;
  readonly entries: number;
  readonly transfers: number;
  /** Per currency: the sum of balances, in minor units, as exact decimal text. */
  readonly totals: Readonly<Record<string, string>>;
}

type Db = Kysely<DatabaseSchema> | { readonly db: Kysely<DatabaseSchema> };

const kysely = (db: Db): Kysely<DatabaseSchema> => ('db' in db ? db.db : db);

// Each check is one query that returns a row per violation, with its description built in SQL
// (sums of BIGINTs are NUMERIC: compared exactly there, never in JavaScript floats).
const CHECKS: Record<string, ReturnType<typeof sql<{ detail: string }>>> = {
  balance_matches_lines: sql`
    select 'account ' || a.id || ' (' || a.number || ') balance ' || a.balance || ' but its lines sum to ' || coalesce(l.net, 0) as detail
    from accounts a
    left join (
      select account_id, sum(case when direction = 'CREDIT' then amount else -amount end) as net
      from ledger_entries group by account_id
    ) l on l.account_id = a.id
    where a.balance <> coalesce(l.net, 0)`,
  balance_after_chain: sql`
    select 'line ' || id || ' (account ' || account_id || ', sequence ' || sequence || ') has balance_after ' || balance_after
           || ' but the previous line left ' || previous || ' and it moves ' || signed as detail
    from (
      select id, account_id, sequence, balance_after,
             case when direction = 'CREDIT' then amount else -amount end as signed,
             coalesce(lag(balance_after) over (partition by account_id order by sequence), 0) as previous
      from ledger_entries
    ) chain
    where balance_after <> previous + signed`,
  negative: sql`
    select 'account ' || id || ' has a negative balance ' || balance as detail from accounts where balance < 0
    union all
    select 'line ' || id || ' has a negative balance_after ' || balance_after from ledger_entries where balance_after < 0
    union all
    select 'line ' || id || ' has a non-positive amount ' || amount from ledger_entries where amount <= 0`,
  transfer_legs: sql`
    select 'transfer ' || t.id || ' has ' || count(l.id) || ' lines: '
           || coalesce(string_agg(l.direction || ' ' || l.amount || ' on ' || l.account_id, ', ' order by l.direction), 'none')
           || ' (expected DEBIT ' || t.amount || ' on ' || t.from_account_id || ', CREDIT ' || t.amount || ' on ' || t.to_account_id || ')' as detail
    from transfers t
    left join ledger_entries l on l.transfer_id = t.id
    group by t.id
    having count(l.id) <> 2
        or count(*) filter (where l.direction = 'DEBIT' and l.account_id = t.from_account_id and l.amount = t.amount
                             and l.type = 'VIREMENT' and l.balance_after = t.from_balance_after) <> 1
        or count(*) filter (where l.direction = 'CREDIT' and l.account_id = t.to_account_id and l.amount = t.amount
                             and l.type = 'VIREMENT') <> 1
    union all
    select 'line ' || id || ' is a VIREMENT without a transfer' from ledger_entries where type = 'VIREMENT' and transfer_id is null
    union all
    select 'line ' || id || ' is a ' || type || ' attached to transfer ' || transfer_id from ledger_entries
    where type <> 'VIREMENT' and transfer_id is not null`,
  money_supply: sql`
    select 'currency ' || coalesce(b.currency, m.currency) || ': balances sum to ' || coalesce(b.total, 0)
           || ' but deposits - withdrawals = ' || coalesce(m.net, 0) as detail
    from (select currency, sum(balance) as total from accounts group by currency) b
    full join (
      select currency, sum(case when type = 'DEPOT' then amount when type = 'RETRAIT' then -amount else 0 end) as net
      from ledger_entries group by currency
    ) m on m.currency = b.currency
    where coalesce(b.total, 0) <> coalesce(m.net, 0)`,
  currency: sql`
    select 'line ' || l.id || ' is in ' || l.currency || ' on a ' || a.currency || ' account' as detail
    from ledger_entries l join accounts a on a.id = l.account_id
    where l.currency <> a.currency`,
  // Every change has exactly one event: an account opened since the outbox exists (its
  // bank.account.opened is sequence 1) has one event per version, and each of its ledger lines a
  // bank.transaction.posted at the line's sequence. Accounts opened before have no opening event
  // and are only checked for events beyond their version.
  events: sql`
    select 'account ' || a.id || ' is at version ' || a.version || ' but has ' || e.n || ' events, the last at sequence ' || e.last as detail
    from accounts a
    join (
      select account_id, count(*) as n, max(sequence) as last,
             bool_or(sequence = 1 and type = 'bank.account.opened') as opened
      from outbox group by account_id
    ) e on e.account_id = a.id
    where e.opened and (e.n <> a.version or e.last <> a.version)
    union all
    select 'line ' || l.id || ' (account ' || l.account_id || ', sequence ' || l.sequence || ') has '
           || coalesce('a ' || o.type || ' event', 'no event') || ' at its sequence'
    from ledger_entries l
    join outbox opened on opened.account_id = l.account_id and opened.sequence = 1 and opened.type = 'bank.account.opened'
    left join outbox o on o.account_id = l.account_id and o.sequence = l.sequence
    where o.id is null or o.type <> 'bank.transaction.posted'
    union all
    select 'event ' || o.id || ' (' || o.type || ', sequence ' || o.sequence || ') is about '
           || coalesce('account ' || a.id || ' at version ' || a.version, 'an unknown account ' || o.account_id)
    from outbox o left join accounts a on a.id = o.account_id
    where a.id is null or o.sequence > a.version`,
};

/**
 * Checks the contract's money invariants over the whole database, in one consistent snapshot:
 * every balance is the sum of its lines, each line's balance_after follows the previous one, no
 * balance is negative, every transfer has exactly its DEBIT and CREDIT legs, per currency the
 * balances sum to deposits minus withdrawals, and every change has its one event in the outbox.
 * Returns one entry per violation (empty when sound).
 */
export async function verifyLedger(database: Db): Promise<LedgerViolation[]> {
  return kysely(database)
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const violations: LedgerViolation[] = [];
      for (const [check, query] of Object.entries(CHECKS)) {
        const { rows } = await query.execute(trx);
        for (const row of rows) violations.push({ check, detail: row.detail });
      }
      return violations;
    });
}

/** Counts and per-currency totals, for the one-line report of a clean check. */
export async function ledgerSummary(database: Db): Promise<LedgerSummary> {
  const db = kysely(database);
  const { rows } = await sql<{ accounts: string; entries: string; transfers: string }>`
    select (select count(*) from accounts)::text as accounts,
           (select count(*) from ledger_entries)::text as entries,
           (select count(*) from transfers)::text as transfers`.execute(db);
  const totals = await sql<{ currency: string; total: string }>`
    select currency, sum(balance)::text as total from accounts group by currency order by currency`.execute(db);
  const counts = rows[0] ?? { accounts: '0', entries: '0', transfers: '0' };
  return {
    accounts: Number(counts.accounts),
    entries: Number(counts.entries),
    transfers: Number(counts.transfers),
    totals: Object.fromEntries(totals.rows.map((r) => [r.currency, r.total])),
  };
}
