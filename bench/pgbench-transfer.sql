-- The raw ceiling of a transfer on this PostgreSQL (pgbench's own tables, scale :scale):
-- lock both accounts in id order, move the amount, two history rows, commit.
\set n 100000 * :scale
\set a random(1, :n)
\set b 1 + (:a + random(0, :n - 2)) % :n
\set delta random(1, 1000)
\set minus -1 * :delta
BEGIN;
SELECT aid, abalance FROM pgbench_accounts WHERE aid IN (:a, :b) ORDER BY aid FOR UPDATE;
UPDATE pgbench_accounts SET abalance = abalance + :minus WHERE aid = :a;
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :b;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, :a, :minus, CURRENT_TIMESTAMP);
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, :b, :delta, CURRENT_TIMESTAMP);
END;
