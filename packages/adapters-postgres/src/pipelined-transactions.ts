import pg from 'pg';
import { NamedStatementsClient } from './named-statements.js';

// A transaction of the unit of work costs a round trip per statement: BEGIN, the lock, the write,
// COMMIT. BEGIN and COMMIT carry nothing the application waits for, so this client writes them
// on the wire together with the statement next to them (pg's pipeline mode: each query keeps its
// own Sync, result and error), and a transfer or a deposit waits for two answers instead of four.
//
// - `begin` is held, and written just before the next statement of the transaction. A
//   transaction that ends before sending anything sends nothing.
// - A statement whose text starts with THEN_COMMIT is followed by COMMIT at once. If the statement
//   fails, the transaction is aborted and PostgreSQL answers that COMMIT with ROLLBACK: the
//   statement's error is what the caller gets, and nothing was committed. A COMMIT that does not
//   answer COMMIT is an error too.
//
// Kysely runs one query at a time on a connection, so nothing else is ever pipelined.

/** Put in front of the last statement of a transaction: the client sends COMMIT right behind it. */
export const THEN_COMMIT = '/* then commit */ ';

type QueryFn = (...args: unknown[]) => Promise<pg.QueryResult>;

const namedQuery = NamedStatementsClient.prototype.query as unknown as QueryFn;

function emptyResult(command: string): pg.QueryResult {
  return { command, rowCount: null, oid: 0, fields: [], rows: [] };
}

export class PipelinedTransactionsClient extends NamedStatementsClient {
  /** A `begin` asked for and not yet written. */
  beginHeld = false;

  constructor(config?: string | pg.ClientConfig) {
    super({ ...(typeof config === 'string' ? { connectionString: config } : config), pipeline: true } as pg.ClientConfig);
  }
}

PipelinedTransactionsClient.prototype.query = function query(this: PipelinedTransactionsClient, ...args: unknown[]) {
  const [text, values] = args;
  const promiseForm = typeof text === 'string' && args.length <= 2 && (values === undefined || Array.isArray(values));
  if (!promiseForm) {
    // Callbacks, config objects, cursors: never inside a unit of work (pg-pool's own queries).
    if (this.beginHeld) throw new Error('a held BEGIN can only be followed by a plain query');
    return namedQuery.apply(this, args);
  }
  const command = text.trim().toLowerCase();
  if (command === 'begin') {
    if (this.beginHeld) throw new Error('BEGIN twice');
    this.beginHeld = true;
    return Promise.resolve(emptyResult('BEGIN'));
  }
  if (this.beginHeld && (command === 'commit' || command === 'rollback')) {
    this.beginHeld = false;
    return Promise.resolve(emptyResult(command.toUpperCase()));
  }

  const stream = this.connection.stream;
  stream.cork();
  let begin: Promise<pg.QueryResult> | undefined;
  let statement: Promise<pg.QueryResult>;
  let commit: Promise<pg.QueryResult> | undefined;
  try {
    if (this.beginHeld) {
      this.beginHeld = false;
      begin = namedQuery.call(this, 'begin');
    }
    statement = namedQuery.apply(this, args);
    if (text.startsWith(THEN_COMMIT)) commit = namedQuery.call(this, 'commit');
  } finally {
    // One write for the two or three queries.
    stream.uncork();
  }
  return settle(begin, statement, commit);
} as typeof pg.Client.prototype.query;

async function settle(
  begin: Promise<pg.QueryResult> | undefined,
  statement: Promise<pg.QueryResult>,
  commit: Promise<pg.QueryResult> | undefined,
): Promise<pg.QueryResult> {
  const [began, result, committed] = await Promise.allSettled([begin, statement, commit]);
  if (began.status === 'rejected') throw began.reason;
  if (result.status === 'rejected') throw result.reason;
  if (committed.status === 'rejected') throw committed.reason;
  if (commit !== undefined && committed.value?.command !== 'COMMIT') {
    throw new Error(`COMMIT answered ${committed.value?.command}: the transaction was rolled back`);
  }
  return result.value;
}
