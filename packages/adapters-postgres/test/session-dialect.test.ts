import { AbortedTransactionError, CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import t, { type Test } from 'tap';
import { kyselyPool } from '../src/pg-pool.js';
import { SessionConnection, SessionDialect } from '../src/session-dialect.js';
import { freshDatabase, requireServer } from './support/databases.js';
import { recordStatements, verb } from './support/statements.js';

// The one layer that decides when BEGIN and COMMIT are sent (src/session-dialect.ts), on its own:
// a plain table, no application code. Each case runs with pg's pipeline mode (BEGIN and COMMIT
// written with their neighbours) and without (one statement per round trip): the outcomes are
// the same, only the round trips differ.

await requireServer();

async function database(t: Test, pipeline: boolean): Promise<Kysely<{ notes: { n: number } }>> {
  const { url } = await freshDatabase(t);
  const pool = new pg.Pool({ connectionString: url, max: 1, pipeline });
  const db = new Kysely<{ notes: { n: number } }>({ dialect: new SessionDialect(new PostgresDialect({ pool: kyselyPool(pool, { coalesceWrites: pipeline }) }), { pipeline }) });
  t.teardown(() => db.destroy());
  await sql`create table notes (n integer not null check (n >= 0))`.execute(db);
  return db;
}

const notes = async (db: Kysely<{ notes: { n: number } }>) => (await db.selectFrom('notes').select('n').orderBy('n').execute()).map((r) => r.n);
const insert = (db: Kysely<{ notes: { n: number } }>, n: number) => db.insertInto('notes').values({ n });

for (const pipeline of [true, false]) {
  const rt = (pipelined: number, sequential: number) => (pipeline ? pipelined : sequential);

  await t.test(pipeline ? 'pipelined' : 'one statement at a time', async (t) => {
    const db = await database(t, pipeline);

    await t.test('a transaction that sends nothing sends neither BEGIN nor ROLLBACK', async (t) => {
      const sent = await recordStatements(async () => {
        await t.rejects(db.transaction().execute(async () => Promise.reject(new Error('refused'))), /refused/);
        await db.transaction().execute(async () => 'nothing');
      });
      t.same(sent.statements, []);
    });

    await t.test('BEGIN goes with the first statement; deferred statements go with the COMMIT', async (t) => {
      const sent = await recordStatements(async () => {
        await db.transaction().execute(async (trx) => {
          await insert(trx, 1).execute();
          const session = await SessionConnection.of(trx);
          session.deferToCommit([insert(trx, 2).compile(), insert(trx, 3).compile()]);
        });
      });
      t.same(sent.statements.map(verb), ['begin', 'insert', 'insert', 'insert', 'commit']);
      t.equal(sent.roundTrips, rt(2, 5));
      t.same(await notes(db), [1, 2, 3], 'all committed');
    });

    await t.test('deferred statements alone: BEGIN, them and COMMIT in one round trip', async (t) => {
      const sent = await recordStatements(async () => {
        await db.transaction().execute(async (trx) => (await SessionConnection.of(trx)).deferToCommit([insert(trx, 4).compile()]));
      });
      t.same(sent.statements.map(verb), ['begin', 'insert', 'commit']);
      t.equal(sent.roundTrips, rt(1, 3));
      t.same(await notes(db), [1, 2, 3, 4]);
    });

    await t.test('a failing deferred statement: its own error, and nothing of the transaction committed', async (t) => {
      await t.rejects(
        db.transaction().execute(async (trx) => {
          await insert(trx, 5).execute();
          (await SessionConnection.of(trx)).deferToCommit([insert(trx, -1).compile(), insert(trx, 6).compile()]);
        }),
        { code: '23514' },
      );
      t.same(await notes(db), [1, 2, 3, 4], 'the insert before it is gone too');
    });

    await t.test('after statements are deferred, nothing else may run in the transaction', async (t) => {
      await t.rejects(
        db.transaction().execute(async (trx) => {
          (await SessionConnection.of(trx)).deferToCommit([insert(trx, 7).compile()]);
          await trx.selectFrom('notes').selectAll().execute();
        }),
        /nothing may run after them/,
      );
      t.same(await notes(db), [1, 2, 3, 4], 'and the deferred insert was not committed');
    });

    await t.test('a statement error swallowed by the caller: the commit is refused with it, and nothing is committed', async (t) => {
      await t.rejects(
        db.transaction().execute(async (trx) => {
          await insert(trx, 8).execute();
          await insert(trx, -1)
            .execute()
            .catch(() => undefined);
        }),
        { code: '23514' },
      );
      t.same(await notes(db), [1, 2, 3, 4]);
    });

    await t.test('a COMMIT answered with ROLLBACK is an AbortedTransactionError', async (t) => {
      // A statement sent to the driver's connection behind the session's back fails and aborts
      // the transaction without the session seeing it: PostgreSQL answers the COMMIT with ROLLBACK.
      const outcome = await db.connection().execute(async (conn) => {
        const session = await SessionConnection.of(conn);
        session.holdBegin(CompiledQuery.raw('begin'));
        await session.executeQuery(CompiledQuery.raw('insert into notes (n) values (9)'));
        await session.inner.executeQuery(CompiledQuery.raw('select 1 / 0')).catch(() => undefined);
        return session.commit().then(
          () => 'committed',
          (error: unknown) => error,
        );
      });
      t.ok(outcome instanceof AbortedTransactionError, String(outcome));
      t.same(await notes(db), [1, 2, 3, 4]);
    });

    await t.test('the connection is clean after each failure: a plain read answers at once', async (t) => {
      const { rows } = await sql<{ status: string }>`select 'idle' as status`.execute(db);
      t.same(rows, [{ status: 'idle' }]);
    });
  });
}
