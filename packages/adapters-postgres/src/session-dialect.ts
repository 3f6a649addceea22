import {
  AbortedTransactionError,
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryExecutorProvider,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

// The one place that decides when BEGIN and COMMIT reach PostgreSQL.
//
// A unit of work is BEGIN, a lock, a write, COMMIT: four statements. BEGIN and COMMIT carry
// nothing the application waits for, so on a `pg` client in pipeline mode this layer writes them
// on the wire with the statement next to them, and a transfer or a deposit waits for two answers
// instead of four:
//
//   [BEGIN, SELECT … FOR UPDATE]  → answers                 (round trip 1)
//   [the movement's write, COMMIT] → answers                 (round trip 2)
//
// - BEGIN is held by `beginTransaction` and sent just before the transaction's first statement
//   (together with it when pipelining). A transaction that ends before sending anything sends
//   neither BEGIN nor ROLLBACK.
// - Statements handed to `deferToCommit` are sent by `commitTransaction`, followed by COMMIT.
//   Once some are deferred, the connection refuses any other statement until the transaction
//   ends: nothing can run after the write it would not see.
// - Each pipelined query keeps its own Sync, result and error. If a statement fails, PostgreSQL
//   aborts the transaction and answers the COMMIT behind it with ROLLBACK: the statement's error
//   is what the caller gets, and nothing was committed.
// - A statement that failed inside a transaction poisons it: COMMIT is refused (the transaction
//   rolled back and the failure rethrown) even if the caller caught the error and went on, and a
//   COMMIT that PostgreSQL answers with ROLLBACK is an AbortedTransactionError.
//
// Without pipelining (PGlite, or `pg` behind a pooler that cannot take pipelined queries) the
// same statements are sent one after the other, with the same outcomes.
//
// It wraps any PostgreSQL dialect's driver (Kysely's PostgresDialect, kysely-pglite-dialect):
// queries reach the driver's connection unchanged; only their order and timing are decided here.
// (pg-pool.ts makes the queries submitted together leave in one socket write.)

export interface SessionOptions {
  /** Write BEGIN and COMMIT with the statements next to them (the driver must pipeline: `pg` with `pipeline: true`). */
  readonly pipeline: boolean;
}

const COMMIT = CompiledQuery.raw('commit');

export class SessionDialect implements Dialect {
  constructor(
    private readonly inner: Dialect,
    private readonly options: SessionOptions,
  ) {}

  createAdapter(): DialectAdapter {
    return this.inner.createAdapter();
  }

  createDriver(): Driver {
    return new SessionDriver(this.inner.createDriver(), this.options);
  }

  createQueryCompiler(): QueryCompiler {
    return this.inner.createQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return this.inner.createIntrospector(db);
  }
}

class SessionDriver implements Driver {
  private readonly sessions = new WeakMap<DatabaseConnection, SessionConnection>();

  constructor(
    private readonly inner: Driver,
    private readonly options: SessionOptions,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.inner.acquireConnection();
    let session = this.sessions.get(connection);
    if (session === undefined) {
      session = new SessionConnection(connection, this.options);
      this.sessions.set(connection, session);
    }
    return session;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return new Promise((resolve) => {
      session(connection).holdBegin(beginStatement(settings));
      resolve();
    });
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return session(connection).commit();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const current = session(connection);
    if (current.endWithoutRollback()) return;
    await this.inner.rollbackTransaction(current.inner);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    const current = session(connection);
    current.reset();
    return this.inner.releaseConnection(current.inner);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

function session(connection: DatabaseConnection): SessionConnection {
  if (!(connection instanceof SessionConnection)) throw new TypeError('not a connection of the session dialect');
  return connection;
}

function beginStatement(settings: TransactionSettings): CompiledQuery {
  if (settings.isolationLevel === undefined && settings.accessMode === undefined) return CompiledQuery.raw('begin');
  const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
  return CompiledQuery.raw(`start transaction${isolation}${settings.accessMode ? ` ${settings.accessMode}` : ''}`);
}

/** One pooled connection, and the transaction on it (see the top of this file). */
export class SessionConnection implements DatabaseConnection {
  /** none: no transaction; held: BEGIN asked for, not sent; sent: BEGIN sent. */
  private transaction: 'none' | 'held' | 'sent' = 'none';
  private begin: CompiledQuery = CompiledQuery.raw('begin');
  /** Statements waiting for the COMMIT; once set, nothing else may run in this transaction. */
  private deferred: readonly CompiledQuery[] | undefined;
  /** The first statement failure inside the transaction. */
  private failure: { readonly error: unknown } | undefined;

  constructor(
    readonly inner: DatabaseConnection,
    private readonly options: SessionOptions,
  ) {}

  /** The session of the connection a Kysely instance is bound to (inside `db.connection()` or `db.transaction()`). */
  static async of(db: QueryExecutorProvider): Promise<SessionConnection> {
    return session(await db.getExecutor().provideConnection((connection) => Promise.resolve(connection)));
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    this.assertNotSealed();
    if (this.transaction === 'held') {
      this.transaction = 'sent';
      const results = await this.send([this.begin, query]);
      return results[1] as QueryResult<R>;
    }
    try {
      return await this.inner.executeQuery<R>(query);
    } catch (error) {
      this.noteFailure(error);
      throw error;
    }
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    this.assertNotSealed();
    if (this.transaction === 'held') {
      this.transaction = 'sent';
      await this.send([this.begin]);
    }
    yield* this.inner.streamQuery<R>(query, chunkSize);
  }

  /** Queues the statements to be written right before COMMIT (with it, when pipelining); from now on nothing else may run. */
  deferToCommit(queries: readonly CompiledQuery[]): void {
    if (this.transaction === 'none') throw new Error('statements can only wait for the COMMIT of a transaction');
    this.assertNotSealed();
    this.deferred = [...queries];
  }

  holdBegin(begin: CompiledQuery): void {
    if (this.transaction !== 'none') throw new Error('a transaction is already open on this connection');
    this.begin = begin;
    this.transaction = 'held';
    this.deferred = undefined;
    this.failure = undefined;
  }

  /** BEGIN if still held, the deferred statements, then COMMIT; the transaction is over when this settles. */
  async commit(): Promise<void> {
    const { transaction, deferred = [], failure } = this;
    if (transaction === 'none') throw new Error('no transaction to commit');
    this.reset();
    if (failure !== undefined) {
      // Aborted, or a statement's error was swallowed: never report it committed.
      if (transaction === 'sent') await this.inner.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined);
      throw failure.error;
    }
    if (transaction === 'held' && deferred.length === 0) return; // nothing was sent: nothing to commit
    const queries = [...(transaction === 'held' ? [this.begin] : []), ...deferred, COMMIT];
    let results: QueryResult<unknown>[];
    try {
      results = await this.send(queries);
    } catch (error) {
      // Pipelined, the COMMIT was sent behind the failed statement and PostgreSQL answered it
      // with ROLLBACK; one by one, it was not sent: end the transaction here.
      if (!this.options.pipeline) await this.inner.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined);
      throw error;
    }
    const committed = results.at(-1) as QueryResult<{ command?: string }>;
    if (committed.rows[0]?.command === 'ROLLBACK') throw new AbortedTransactionError();
  }

  /** Whether the transaction can end without a ROLLBACK (nothing sent, or already over); resets it either way. */
  endWithoutRollback(): boolean {
    const nothingToRollBack = this.transaction !== 'sent';
    this.reset();
    return nothingToRollBack;
  }

  reset(): void {
    this.transaction = 'none';
    this.deferred = undefined;
    this.failure = undefined;
  }

  private assertNotSealed(): void {
    if (this.deferred !== undefined) throw new Error('this transaction has statements waiting for its COMMIT: nothing may run after them');
  }

  /**
   * Sends the queries in order: all at once when pipelining (the driver writes each as it is
   * submitted, without waiting for the previous answer), else one after the other, stopping at
   * the first failure. Resolves with every result; rejects with the first failure once every
   * query sent has answered.
   */
  private async send(queries: readonly CompiledQuery[]): Promise<QueryResult<unknown>[]> {
    if (this.options.pipeline) {
      const settled = await Promise.allSettled(queries.map((query) => this.inner.executeQuery(query)));
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed !== undefined) {
        this.noteFailure(failed.reason);
        throw failed.reason;
      }
      return settled.map((s) => (s as PromiseFulfilledResult<QueryResult<unknown>>).value);
    }
    const results: QueryResult<unknown>[] = [];
    for (const query of queries) {
      try {
        results.push(await this.inner.executeQuery(query));
      } catch (error) {
        this.noteFailure(error);
        throw error;
      }
    }
    return results;
  }

  private noteFailure(error: unknown): void {
    if (this.transaction !== 'none') this.failure ??= { error };
  }
}
