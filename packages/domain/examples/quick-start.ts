// Another TypeScript service using the bank's core directly, on the in-memory adapters.
import {
  CryptoRandomSource,
  MemoryCache,
  MemoryDenylist,
  MemoryUnitOfWork,
  ScryptHasher,
  Sha256Digest,
  SystemClock,
  UuidIds,
} from '@banking/adapters-memory';
import { createBanking, DEFAULT_POLICY, DomainError, formatMinor, type BankingDeps } from '@banking/domain';

export async function main(log: (line: string) => void = console.log) {
  // Every port gets an adapter; a real service plugs in PostgreSQL and Redis here.
  const deps: BankingDeps = {
    uow: new MemoryUnitOfWork(),
    clock: new SystemClock(),
    ids: new UuidIds(),
    random: new CryptoRandomSource(),
    hasher: new ScryptHasher(),
    digest: new Sha256Digest(),
    cache: new MemoryCache(),
    denylist: new MemoryDenylist(),
    policy: { ...DEFAULT_POLICY, maxAmount: 1_000_000 },
  };
  const bank = createBanking(deps);

  // register → login
  const alice = await bank.registerUser.execute({ email: 'Alice@Example.com', password: 'correct horse battery', fullName: 'Alice' });
  const session = await bank.login.execute({ email: 'alice@example.com', password: 'correct horse battery' });
  await bank.checkAccess.execute(session.sessionId); // throws TokenRevoked once the session is logged out
  log(`registered ${alice.email}, session ${session.sessionId}`);

  // open an account, deposit 1000 HTG (amounts are JSON numbers or decimal strings)
  const checking = await bank.openAccount.execute({ userId: alice.id, type: 'COURANT' });
  const deposit = await bank.postTransaction.execute({
    userId: alice.id,
    accountId: checking.id,
    type: 'DEPOT',
    amount: 1000,
    idempotencyKey: 'deposit-2026-0001',
  });
  log(`deposited ${formatMinor(deposit.value.amount, deposit.value.currency)} HTG on ${checking.number}`);

  // transfer to Bob's account, by its number
  const bob = await bank.registerUser.execute({ email: 'bob@example.com', password: 'another good password', fullName: 'Bob' });
  const savings = await bank.openAccount.execute({ userId: bob.id, type: 'EPARGNE' });
  const transfer = await bank.transferMoney.execute({
    userId: alice.id,
    fromAccountId: checking.id,
    toAccountNumber: savings.number,
    amount: '250.50',
    description: 'Rent',
  });
  log(`transferred ${formatMinor(transfer.value.amount, transfer.value.currency)} HTG to ${savings.number}`);

  // balance: integer minor units, formatted exactly for display
  const balance = await bank.getBalance.execute({ userId: alice.id, accountId: checking.id });
  log(`balance of ${balance.accountNumber}: ${formatMinor(balance.balance, balance.currency)} ${balance.currency}`);

  // a refusal is a DomainError with a stable code
  let refusal = '';
  try {
    await bank.postTransaction.execute({ userId: alice.id, accountId: checking.id, type: 'RETRAIT', amount: 5000 });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    refusal = error.code;
    log(`refused: ${error.code} (${error.message})`);
  }

  return { alice, session, checking, deposit, transfer, balance, refusal };
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
