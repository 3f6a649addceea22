-- The API's own transfer, statement for statement, with no HTTP and no Node: what this PostgreSQL
-- can do with the API's schema (constraints, foreign keys, indexes, ledger lines, transfer row).
-- Run by `pnpm bench` with -M prepared on the API's schema seeded like the API runs (accounts
-- :accounts, ids and numbers as bench/lib/seed.ts makes them). The API sends the same statements:
-- BEGIN with the lock of both sides (by id, and by number for the destination), then one write
-- statement (two balance updates, the transfer, two ledger lines, their two outbox events) with
-- COMMIT. The lines keep the ledger's chain (sequence = version, balance_after), so that
-- ledger:verify passes after it; the events carry a payload of the size the API writes.
\set a random(1, :accounts)
\set b 1 + (:a + random(0, :accounts - 2)) % :accounts
\set amount random(1, 999)
BEGIN;
SELECT * FROM accounts WHERE (id IN (('00000000-0000-4000-8002-' || lpad(to_hex(:a::int), 12, '0'))::uuid) OR number IN (lpad(:b::text, 12, '0')::char(12))) ORDER BY id FOR UPDATE;
WITH ua AS (UPDATE accounts SET balance = balance - :amount, version = version + 1, updated_at = now() WHERE id = ('00000000-0000-4000-8002-' || lpad(to_hex(:a::int), 12, '0'))::uuid RETURNING id, version, balance, number, owner_id),
ub AS (UPDATE accounts SET balance = balance + :amount, version = version + 1, updated_at = now() WHERE number = lpad(:b::text, 12, '0')::char(12) RETURNING id, version, balance, number, owner_id),
t AS (INSERT INTO transfers (id, from_account_id, to_account_id, from_account_number, to_account_number, amount, currency, description, from_balance_after, created_at)
      SELECT gen_random_uuid(), ua.id, ub.id, ua.number, ub.number, :amount::bigint, 'HTG', 'pgbench', ua.balance, now() FROM ua, ub RETURNING id),
l AS (INSERT INTO ledger_entries (id, account_id, sequence, type, direction, amount, balance_after, currency, description, transfer_id, counterparty_account_number, created_at)
      SELECT gen_random_uuid(), ua.id, ua.version, 'VIREMENT', 'DEBIT', :amount::bigint, ua.balance, 'HTG', 'pgbench', t.id, ub.number, now() FROM ua, ub, t
      UNION ALL
      SELECT gen_random_uuid(), ub.id, ub.version, 'VIREMENT', 'CREDIT', :amount::bigint, ub.balance, 'HTG', 'pgbench', t.id, ua.number, now() FROM ua, ub, t),
o AS (INSERT INTO outbox (id, account_id, sequence, owner_id, type, version, occurred_at, payload)
      SELECT gen_random_uuid(), x.id, x.version, x.owner_id, 'bank.transaction.posted', 1, now(),
             json_build_object('id', gen_random_uuid(), 'accountId', x.id, 'sequence', x.version, 'type', 'VIREMENT', 'direction', x.direction,
                               'amount', :amount::bigint, 'currency', 'HTG', 'balanceAfter', x.balance, 'description', 'pgbench', 'transferId', t.id,
                               'counterpartyAccountNumber', x.counterparty, 'createdAt', now())
      FROM t, (SELECT ua.id, ua.version, ua.owner_id, ua.balance, 'DEBIT' AS direction, ub.number AS counterparty FROM ua, ub
               UNION ALL
               SELECT ub.id, ub.version, ub.owner_id, ub.balance, 'CREDIT', ua.number FROM ua, ub) x)
SELECT 1;
END;
