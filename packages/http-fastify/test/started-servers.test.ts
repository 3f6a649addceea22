import { createServer, type Server } from 'node:net';
import t, { type Test } from 'tap';
import { PrivateRedis } from '../../adapters-redis/test/support/private-redis.js';
import { listensOn, PORT_TAKEN, startApi } from './support/api-process.js';
import { freshDatabase, requireServices } from './support/services.js';

// Servers the tests start take a port that was free when drawn; another process on the machine
// (another test file, another engineer's suite) can take it first. A start-up must then notice
// that the server answering there is not the one it started, instead of testing a stranger.

/** A server of this process on a port of its own that answers every connection with `reply` (HTTP 200 or a Redis +PONG). */
async function stranger(t: Test, reply: string): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.on('data', () => socket.write(reply));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  return { server, port: address.port };
}

const HTTP_OK = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 15\r\nconnection: close\r\n\r\n{"status":"ok"}';

await t.test('listensOn names the process that holds a listening port', async (t) => {
  const { port } = await stranger(t, HTTP_OK);
  t.equal(await listensOn(process.pid, port), true, 'this process listens there');
  t.equal(await listensOn(process.ppid, port), false, 'its parent does not');
  const { port: other, server } = await stranger(t, HTTP_OK);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  t.equal(await listensOn(process.pid, other), false, 'nor does anyone once it is closed');
});

await t.test('startApi on a port another server holds: the API fails to bind, and no answer of the stranger is taken for it', async (t) => {
  if (!(await requireServices(t, { machineRedis: false }))) return;
  const db = await freshDatabase(t);
  const { port } = await stranger(t, HTTP_OK);
  const refused = await startApi(t, 'late', { DATABASE_URL: db.url, PORT: String(port) }).then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  t.match(refused, /exited at start-up/, 'the start-up fails');
  t.match(refused, PORT_TAKEN, 'because the port is taken');
});

await t.test('PrivateRedis restarted on a port another server took meanwhile: refused, not mistaken for it', async (t) => {
  if (!(await requireServices(t, { machineRedis: false, redisServerBinary: true }))) return;
  const redis = await PrivateRedis.start();
  t.teardown(() => redis.stop());
  await redis.kill();
  const taken = createServer((socket) => {
    socket.on('data', () => socket.write('+PONG\r\n'));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => taken.listen(redis.port, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  await t.rejects(redis.restart(), { message: /exited at start-up on port/ });
});
