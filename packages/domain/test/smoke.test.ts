import t from 'tap';
import { memoryBanking } from '@banking/testing';

t.test('seed flow on memory', async (t) => {
  const { banking } = memoryBanking();
  const user = await banking.registerUser.execute({ email: ' Test@Example.com', password: 'password123', fullName: 'Test User' });
  t.equal(user.email, 'test@example.com');
  const session = await banking.login.execute({ email: 'test@example.com', password: 'password123' });
  const acc = await banking.openAccount.execute({ userId: session.userId, type: 'COURANT' });
  const dep = await banking.postTransaction.execute({ userId: user.id, accountId: acc.id, type: 'DEPOT', amount: 1000.0, idempotencyKey: 'k1' });
  const again = await banking.postTransaction.execute({ userId: user.id, accountId: acc.id, type: 'DEPOT', amount: 1000, idempotencyKey: 'k1' });
  t.equal(again.replayed, true);
  t.same(again.value, dep.value);
  const bal = await banking.getBalance.execute({ userId: user.id, accountId: acc.id });
  t.equal(bal.balance, 100000);
  const acc2 = await banking.openAccount.execute({ userId: user.id, type: 'EPARGNE' });
  const tr = await banking.transferMoney.execute({ userId: user.id, fromAccountId: acc.id, toAccountNumber: acc2.number, amount: '10.5' });
  t.equal(tr.value.fromBalanceAfter, 98950);
  t.equal((await banking.getBalance.execute({ userId: user.id, accountId: acc2.id })).balance, 1050);
  await t.rejects(banking.postTransaction.execute({ userId: user.id, accountId: acc2.id, type: 'RETRAIT', amount: 11, idempotencyKey: 'k2' }), { code: 'insufficient_funds' });
  await t.rejects(banking.postTransaction.execute({ userId: user.id, accountId: acc2.id, type: 'RETRAIT', amount: 11, idempotencyKey: 'k2' }), { name: 'ReplayedRefusal', code: 'insufficient_funds' });
  const page = await banking.listTransactions.execute({ userId: user.id, accountId: acc.id });
  t.equal(page.total, 2);
  t.equal(page.items[0]?.type, 'VIREMENT');
});
