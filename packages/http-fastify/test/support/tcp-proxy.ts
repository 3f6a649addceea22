import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Test } from 'tap';

/**
 * A TCP relay to 127.0.0.1:`targetPort` that a test can cut: `block()` closes every relayed
 * connection and refuses new ones (the client behind it sees its server gone) until `unblock()`.
 */
export class TcpProxy {
  private blocked = false;
  private readonly pairs = new Set<[Socket, Socket]>();

  private constructor(private readonly server: Server) {}

  /** The port the relay listens on (its own: it binds port 0, so no other process can hold it). */
  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('the relay is not listening');
    return address.port;
  }

  static async start(t: Test, targetPort: number): Promise<TcpProxy> {
    const server = createServer((client) => proxy.relay(client, targetPort));
    const proxy = new TcpProxy(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    t.teardown(() => proxy.close());
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  block(): void {
    this.blocked = true;
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  unblock(): void {
    this.blocked = false;
  }

  async close(): Promise<void> {
    this.block();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private relay(client: Socket, targetPort: number): void {
    if (this.blocked) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of pair) {
      socket.once('close', end);
      socket.once('error', end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
