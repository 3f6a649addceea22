import { createServer } from 'node:http';

// The floor of any Node HTTP API on this machine: node:http answering a fixed JSON body, no
// framework, no authentication, no I/O. `pnpm bench` drives it with the same load generator and
// connections as the API; what it cannot exceed, no route of the API can.

const body = JSON.stringify({ account_id: '00000000-0000-4000-8002-000000000001', balance: 1000000.0, currency: 'HTG' });
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address !== null && typeof address === 'object') process.stdout.write(`listening ${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
