import net from 'node:net';
import pg from 'pg';

/**
 * The statements every pg client submits while `body` runs, and the round trips they cost: a
 * statement submitted while none is awaiting its answer starts one; one written behind another
 * (pipelined) does not. Only meaningful with one unit of work in flight.
 */
export async function recordStatements(body: () => Promise<void>): Promise<{ statements: string[]; roundTrips: number }> {
  const statements: string[] = [];
  let outstanding = 0;
  let roundTrips = 0;
  const { submit, handleReadyForQuery } = pg.Query.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const query = pg.Query.prototype as unknown as Record<string, unknown>;
  query['submit'] = function (this: { text?: string }, ...args: unknown[]) {
    if (outstanding === 0) roundTrips += 1;
    outstanding += 1;
    statements.push(String(this.text));
    return submit?.apply(this, args);
  };
  query['handleReadyForQuery'] = function (this: unknown, ...args: unknown[]) {
    outstanding -= 1;
    return handleReadyForQuery?.apply(this, args);
  };
  try {
    await body();
  } finally {
    query['submit'] = submit;
    query['handleReadyForQuery'] = handleReadyForQuery;
  }
  return { statements, roundTrips };
}

export async function countStatements(body: () => Promise<void>): Promise<string[]> {
  return (await recordStatements(body)).statements;
}

/** The first SQL word of a statement. */
export const verb = (text: string) => text.trimStart().split(/\s/, 1)[0]?.toLowerCase();


/** How many times sockets wrote while `body` ran (one write can carry several queries). */
export async function countSocketWrites(body: () => Promise<void>): Promise<number> {
  const socket = net.Socket.prototype as unknown as Record<'_write' | '_writev', (...a: unknown[]) => unknown>;
  const { _write, _writev } = socket;
  let writes = 0;
  socket._write = function (this: unknown, ...args: unknown[]) {
    writes += 1;
    return _write.apply(this, args);
  };
  socket._writev = function (this: unknown, ...args: unknown[]) {
    writes += 1;
    return _writev.apply(this, args);
  };
  try {
    await body();
  } finally {
    socket._write = _write;
    socket._writev = _writev;
  }
  return writes;
}
