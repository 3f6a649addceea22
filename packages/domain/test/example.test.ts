import { readFileSync } from 'node:fs';
import t from 'tap';
import { main } from '../examples/quick-start.js';

t.test('the quick-start example runs and does what its README says', async (t) => {
  const lines: string[] = [];
  const result = await main((line) => lines.push(line));
  t.equal(result.alice.email, 'alice@example.com');
  t.equal(result.session.userId, result.alice.id);
  t.match(result.checking, { ownerId: result.alice.id, type: 'COURANT', currency: 'HTG', status: 'ACTIVE' });
  t.match(result.deposit, { replayed: false, value: { type: 'DEPOT', amount: 100000, balanceAfter: 100000 } });
  t.match(result.transfer.value, { amount: 25050, fromBalanceAfter: 74950, description: 'Rent' });
  t.match(result.balance, { accountId: result.checking.id, balance: 74950, currency: 'HTG' });
  t.equal(result.refusal, 'insufficient_funds');
  t.same(
    lines.map((line) => line.replace(/\d{12}/g, 'N').replace(/[0-9a-f-]{36}/g, 'ID')),
    [
      'registered alice@example.com, session ID',
      'deposited 1000 HTG on N',
      'transferred 250.5 HTG to N',
      'balance of N: 749.5 HTG',
      'refused: insufficient_funds (Insufficient funds: the available balance is 749.5 HTG.)',
    ],
  );
});

t.test('the README shows the example exactly as it is', async (t) => {
  const example = readFileSync(new URL('../examples/quick-start.ts', import.meta.url), 'utf8');
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  t.ok(readme.includes('```ts\n' + example + '```\n'), 'README.md contains examples/quick-start.ts in a ts code block');
});
