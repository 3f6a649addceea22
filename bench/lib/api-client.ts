import type { BenchAccount } from './scenarios.js';

/** The few API calls the set-up makes (plain fetch); any unexpected status throws with the body. */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly prefix = '/api/v1',
  ) {}

  private async call<T>(method: string, path: string, body: unknown, token?: string, expected = [200, 201]): Promise<T> {
    const response = await fetch(`${this.baseUrl}${this.prefix}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token !== undefined && { authorization: `Bearer ${token}` }) },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await response.text();
    if (!expected.includes(response.status)) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  async register(email: string, password: string): Promise<{ id: string }> {
    return this.call('POST', '/auth/register', { email, password, full_name: 'Bench User' });
  }

  async login(email: string, password: string): Promise<string> {
    const tokens = await this.call<{ access_token: string }>('POST', '/auth/login', { email, password });
    return tokens.access_token;
  }

  async openAccount(token: string): Promise<BenchAccount> {
    const account = await this.call<{ id: string; account_number: string }>('POST', '/accounts', { account_type: 'COURANT' }, token);
    return { id: account.id, number: account.account_number };
  }

  async deposit(token: string, accountId: string, amount: string): Promise<void> {
    await this.call('POST', `/accounts/${accountId}/transactions`, { type: 'DEPOT', amount }, token);
  }
}

/** Runs `task` over `items`, `concurrency` at a time, and returns the results in order. */
export async function inBatches<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
