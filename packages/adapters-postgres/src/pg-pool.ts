import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

// The `pg` pool as Kysely's PostgresDialect sees it: a wrapper of each pooled client (pg itself is
// untouched) that names statements and, when pipelining, coalesces writes.
//
// Named statements. Kysely sends every query as an unnamed statement: PostgreSQL parses, analyses and plans it
// again on each execution. Named (prepared) statements are parsed once per connection and their
// plans reused, which roughly halves the server's CPU for a primary-key lookup. The SQL text is
// the same for every query of one shape (values are parameters), so the set of names is small
// and bounded; statements without parameters (BEGIN, COMMIT, DDL, `select 1`) keep the simple
// protocol.

/** A data statement (what may be prepared). */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
/** Past this many distinct texts in a process, new ones are sent unnamed (a safety bound, never reached by the app). */
const MAX_NAMES = 1000;
const names = new Map<string, string>();

/** The statement name for `text`: a digest of it, so the same text always gets the same name. */
export function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_NAMES || !PREPARABLE.test(text)) return undefined;
    name = `bank_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`;
    names.set(text, name);
  }
  return name;
}

export interface PoolOptions {
  /**
   * The clients are in pg's pipeline mode: the queries submitted in one tick (BEGIN and the
   * statement behind it, the movement and its COMMIT: session-dialect.ts submits them together)
   * leave in ONE socket write rather than one per query. pg already writes each query's messages
   * in one write; this extends that to the batch: half the system calls, and one wake-up of the
   * server per round trip.
   */
  readonly coalesceWrites: boolean;
}

/**
 * The `pg` pool as Kysely's PostgresDialect sees it, each client answering Kysely's
 * `query(text, values)` with a named prepared statement: pg prepares each name once per
 * connection (after its ParseComplete) and re-sends only Bind/Execute afterwards.
 */
export function kyselyPool(pool: pg.Pool, options: PoolOptions): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let wrapped = clients.get(client);
    if (wrapped === undefined) {
      const coalesce = options.coalesceWrites ? coalescer(client) : () => {};
      const query = (text: string, values: readonly unknown[]) => {
        const name = values.length > 0 ? statementName(text) : undefined;
        coalesce();
        return client.query(name === undefined ? { text, values: [...values] } : { name, text, values: [...values] });
      };
      wrapped = {
        // Kysely only calls query(text, values) here: cursors (streaming) are not configured.
        query: query as unknown as PostgresPoolClient['query'],
        // Kysely passes `true` to destroy a connection it saw fail to roll back.
        release: (destroy?: boolean) => client.release(destroy),
      };
      clients.set(client, wrapped);
    }
    return wrapped;
  };
  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}

/**
 * Corks the client's socket until the end of the current tick (Node counts corks, so pg's own
 * per-query cork and uncork nest inside): everything written meanwhile goes out in one write.
 */
function coalescer(client: pg.PoolClient): () => void {
  let corked = false;
  return () => {
    if (corked) return;
    const { stream } = client.connection;
    corked = true;
    stream.cork();
    process.nextTick(() => {
      corked = false;
      stream.uncork();
    });
  };
}
