/**
 * Model-based property test: random sequences of commands run against the bank on in-memory
 * adapters and against a plain model (integers in maps). After every command, the outcome must be
 * the one the model predicts, and the store must satisfy the contract's money invariants.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import t from 'tap';
import { formatMinor, type AccountStatus, type CurrencyCode, type Idempotent, type LedgerEntry, type Transfer as TransferRecord } from '@banking/domain';
import type { MemoryState } from '@banking/adapters-memory';
import { testSeed } from '@banking/testing';
import { bank, PASSWORD, type Bank } from './support/bank.js';

const NUM_RUNS = 1000;
const MAX_COMMANDS = 50;
const MAX_USERS = 3;
const KEYS = ['k1', 'k2', 'k3'] as const;
const DAY = 24 * 60 * 60 * 1000;

type Currency = Extract<CurrencyCode, 'HTG' | 'JPY'>;

interface ModelAccount {
  readonly id: string;
  readonly number: string;
  readonly owner: number;
  readonly currency: Currency;
  balance: number;
  status: AccountStatus;
}

type RecordedOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly code: string };

interface ModelRecord {
  readonly fingerprint: string;
  readonly outcome: RecordedOutcome;
  readonly expiresAt: number;
}

/** A money movement exactly as sent, so that a replay can send it again byte for byte. */
type Movement =
  | { readonly kind: 'cash'; readonly caller: number; readonly accountId: string; readonly type: 'DEPOT' | 'RETRAIT'; readonly amount: unknown; readonly minor: number | null; readonly key?: string }
  | { readonly kind: 'transfer'; readonly caller: number; readonly fromAccountId: string; readonly toAccountNumber: string; readonly amount: unknown; readonly minor: number | null; readonly key?: string };

interface Model {
  users: { id: string; email: string }[];
  accounts: ModelAccount[];
  deposits: Record<Currency, number>;
  withdrawals: Record<Currency, number>;
  records: Map<string, ModelRecord>;
  keyed: Movement[];
  now: number;
  ledgerLines: number;
  transfers: number;
}

interface Real {
  readonly b: Bank;
}

type Command = fc.AsyncCommand<Model, Real>;

// ── Amounts ──────────────────────────────────────────────────────────────────────────────────

type AmountSpec =
  | { readonly kind: 'minor'; readonly minor: number; readonly asString: boolean }
  | { readonly kind: 'all'; readonly asString: boolean }
  | { readonly kind: 'over' }
  | { readonly kind: 'zero' }
  | { readonly kind: 'too-precise' };

const amountSpec = (maxMinor: number): fc.Arbitrary<AmountSpec> => fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('minor' as const), minor: fc.integer({ min: 1, max: maxMinor }), asString: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('all' as const), asString: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'over' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'zero' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'too-precise' as const }) },
);

/** The value sent for a spec, and the minor units it means (null: the bank must refuse it). */
function resolveAmount(spec: AmountSpec, currency: Currency, balance: number): { amount: unknown; minor: number | null } {
  const text = (minor: number, asString: boolean) => (asString ? formatMinor(minor, currency) : Number(formatMinor(minor, currency)));
  switch (spec.kind) {
    case 'minor':
      return { amount: text(spec.minor, spec.asString), minor: spec.minor };
    case 'all':
      return balance > 0 ? { amount: text(balance, spec.asString), minor: balance } : { amount: 0, minor: null };
    case 'over':
      return { amount: text(balance + 1, true), minor: balance + 1 };
    case 'zero':
      return { amount: '0', minor: null };
    case 'too-precise':
      return { amount: currency === 'JPY' ? 1.5 : '1.001', minor: null };
  }
}

// ── Predictions ──────────────────────────────────────────────────────────────────────────────

type Fresh = { readonly ok: true; readonly apply: () => void } | { readonly ok: false; readonly code: string };

function refusalForStatus(account: ModelAccount): string | undefined {
  if (account.status === 'FROZEN') return 'account_frozen';
  if (account.status === 'CLOSED') return 'account_closed';
  return undefined;
}

function predictFresh(model: Model, m: Movement): Fresh {
  if (m.kind === 'cash') {
    const account = model.accounts.find((a) => a.id === m.accountId)!;
    if (account.owner !== m.caller) return { ok: false, code: 'not_found' };
    const status = refusalForStatus(account);
    if (status) return { ok: false, code: status };
    const minor = m.minor;
    if (minor === null) return { ok: false, code: 'validation_failed' };
    if (m.type === 'RETRAIT' && minor > account.balance) return { ok: false, code: 'insufficient_funds' };
    return {
      ok: true,
      apply: () => {
        if (m.type === 'DEPOT') {
          account.balance += minor;
          model.deposits[account.currency] += minor;
        } else {
          account.balance -= minor;
          model.withdrawals[account.currency] += minor;
        }
        model.ledgerLines += 1;
      },
    };
  }
  const from = model.accounts.find((a) => a.id === m.fromAccountId)!;
  const to = model.accounts.find((a) => a.number === m.toAccountNumber);
  if (from.owner !== m.caller || to === undefined) return { ok: false, code: 'not_found' };
  if (from === to) return { ok: false, code: 'same_account' };
  const status = refusalForStatus(from) ?? refusalForStatus(to);
  if (status) return { ok: false, code: status };
  if (from.currency !== to.currency) return { ok: false, code: 'currency_mismatch' };
  const minor = m.minor;
  if (minor === null) return { ok: false, code: 'validation_failed' };
  if (minor > from.balance) return { ok: false, code: 'insufficient_funds' };
  return {
    ok: true,
    apply: () => {
      from.balance -= minor;
      to.balance += minor;
      model.ledgerLines += 2;
      model.transfers += 1;
    },
  };
}

function fingerprint(m: Movement): string {
  return m.kind === 'cash'
    ? JSON.stringify(['cash', m.accountId, m.type, String(m.amount)])
    : JSON.stringify(['transfer', m.fromAccountId, m.toAccountNumber, String(m.amount)]);
}

async function send(real: Real, model: Model, m: Movement): Promise<Idempotent<LedgerEntry | TransferRecord>> {
  const userId = model.users[m.caller]!.id;
  const key = m.key === undefined ? {} : { idempotencyKey: m.key };
  return m.kind === 'cash'
    ? real.b.banking.postTransaction.execute({ userId, accountId: m.accountId, type: m.type, amount: m.amount, ...key })
    : real.b.banking.transferMoney.execute({ userId, fromAccountId: m.fromAccountId, toAccountNumber: m.toAccountNumber, amount: m.amount, ...key });
}

async function outcomeOf<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: { code?: string; name?: string } }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error: error as { code?: string; name?: string } };
  }
}

/** Sends a movement and checks the bank's answer against the model's prediction. */
async function move(model: Model, real: Real, m: Movement): Promise<void> {
  const recordKey = m.key === undefined ? undefined : `${m.caller}\u0000${m.key}`;
  const record = recordKey === undefined ? undefined : model.records.get(recordKey);
  const live = record !== undefined && record.expiresAt > model.now ? record : undefined;
  const before = snapshot(real);
  const result = await outcomeOf(send(real, model, m));

  if (live !== undefined && live.fingerprint !== fingerprint(m)) {
    assert.equal(result.ok, false, 'a reused key with another request is refused');
    assert.equal(result.error.code, 'idempotency_key_reused');
    assert.deepEqual(snapshot(real), before, 'a refused key moves nothing');
    saw('idempotency_key_reused');
    return;
  }
  if (live !== undefined) {
    if (live.outcome.ok) {
      assert.ok(result.ok, `replay of a success succeeds (${!result.ok ? result.error.code : ''})`);
      assert.equal(result.value.replayed, true);
      assert.deepEqual(result.value.value, live.outcome.value, 'the replay returns the recorded value');
    } else {
      assert.equal(result.ok, false, 'replay of a refusal is refused');
      assert.deepEqual([result.error.name, result.error.code], ['ReplayedRefusal', live.outcome.code]);
    }
    assert.deepEqual(snapshot(real), before, 'a replayed key moves nothing');
    saw(live.outcome.ok ? `replayed ${m.kind}` : 'replayed refusal');
    return;
  }

  const expected = predictFresh(model, m);
  saw(expected.ok ? `${m.kind === 'cash' ? m.type : 'transfer'}${record ? ' (expired key)' : ''}` : expected.code);
  if (expected.ok) {
    assert.ok(result.ok, `expected success, got ${result.ok ? '' : result.error.code}`);
    assert.equal(result.value.replayed, false);
    expected.apply();
    const value = result.value.value;
    if (m.kind === 'cash') {
      const account = model.accounts.find((a) => a.id === m.accountId)!;
      assert.ok('balanceAfter' in value);
      assert.deepEqual([value.amount, value.balanceAfter, value.type], [m.minor, account.balance, m.type]);
    } else {
      const from = model.accounts.find((a) => a.id === m.fromAccountId)!;
      assert.ok('fromBalanceAfter' in value);
      assert.deepEqual([value.amount, value.fromBalanceAfter], [m.minor, from.balance]);
    }
    if (recordKey !== undefined) {
      model.records.set(recordKey, { fingerprint: fingerprint(m), outcome: { ok: true, value }, expiresAt: model.now + DAY });
    }
  } else {
    assert.equal(result.ok, false, `expected ${expected.code}, got success`);
    assert.deepEqual([result.error.code, result.error.name === 'ReplayedRefusal'], [expected.code, false]);
    assert.deepEqual(snapshot(real), before, 'a refusal moves nothing');
    if (recordKey !== undefined) {
      model.records.set(recordKey, { fingerprint: fingerprint(m), outcome: { ok: false, code: expected.code }, expiresAt: model.now + DAY });
    }
  }
  if (m.key !== undefined) model.keyed.push(m);
}

function snapshot(real: Real) {
  const state = real.b.state();
  return {
    balances: [...state.accounts.values()].map((a) => [a.id, a.balance, a.status]),
    ledger: state.ledger.length,
    transfers: state.transfers.size,
  };
}

// ── Invariants ───────────────────────────────────────────────────────────────────────────────

function checkInvariants(model: Model, state: MemoryState): void {
  assert.equal(state.users.size, model.users.length, 'users');
  assert.equal(state.accounts.size, model.accounts.length, 'accounts');
  for (const expected of model.accounts) {
    const account = state.accounts.get(expected.id);
    assert.ok(account, 'every opened account exists');
    assert.deepEqual(
      [account.number, account.ownerId, account.currency, account.balance, account.status],
      [expected.number, model.users[expected.owner]!.id, expected.currency, expected.balance, expected.status],
      'the account is as the model says',
    );
  }

  const lines = new Map<string, typeof state.ledger>();
  for (const line of state.ledger) {
    assert.ok(Number.isSafeInteger(line.amount) && line.amount > 0, 'a line moves a positive integer amount');
    lines.set(line.accountId, [...(lines.get(line.accountId) ?? []), line]);
  }
  for (const account of state.accounts.values()) {
    assert.ok(Number.isSafeInteger(account.balance) && account.balance >= 0, 'no negative balance');
    const own = (lines.get(account.id) ?? []).toSorted((a, b) => a.sequence - b.sequence);
    let running = 0;
    let previous = 0;
    for (const line of own) {
      assert.ok(line.sequence > previous, 'sequences increase');
      assert.ok(line.sequence <= account.version, 'no line beyond the account version');
      previous = line.sequence;
      assert.equal(line.currency, account.currency);
      running += line.direction === 'CREDIT' ? line.amount : -line.amount;
      assert.equal(line.balanceAfter, running, 'balanceAfter chain');
      assert.ok(running >= 0, 'never negative along the way');
    }
    assert.equal(account.balance, running, 'balance = credits − debits');
  }

  for (const currency of ['HTG', 'JPY'] as const) {
    const total = [...state.accounts.values()].filter((a) => a.currency === currency).reduce((sum, a) => sum + a.balance, 0);
    const cash = state.ledger
      .filter((l) => l.currency === currency && l.type !== 'VIREMENT')
      .reduce((sum, l) => sum + (l.type === 'DEPOT' ? l.amount : -l.amount), 0);
    assert.equal(total, model.deposits[currency] - model.withdrawals[currency], `${currency}: total = deposits − withdrawals (model)`);
    assert.equal(total, cash, `${currency}: total = deposits − withdrawals (ledger)`);
  }

  assert.equal(state.ledger.length, model.ledgerLines, 'ledger lines');
  assert.equal(state.transfers.size, model.transfers, 'transfers');
  for (const transfer of state.transfers.values()) {
    const legs = state.ledger.filter((l) => l.transferId === transfer.id);
    assert.equal(legs.length, 2, 'a transfer has exactly two lines');
    const debit = legs.find((l) => l.direction === 'DEBIT');
    const credit = legs.find((l) => l.direction === 'CREDIT');
    assert.ok(debit && credit);
    assert.deepEqual([debit.accountId, debit.amount, debit.type], [transfer.fromAccountId, transfer.amount, 'VIREMENT']);
    assert.deepEqual([credit.accountId, credit.amount, credit.type], [transfer.toAccountId, transfer.amount, 'VIREMENT']);
  }
  for (const line of state.ledger) {
    if (line.type === 'VIREMENT') assert.ok(line.transferId !== null && state.transfers.has(line.transferId), 'a VIREMENT line belongs to a transfer');
    else assert.equal(line.transferId, null);
  }

  // The outbox: every committed change has exactly one event, in commit order per account, and
  // nothing refused or replayed has one. Each change is one version of its account.
  const events = new Map<string, typeof state.outbox>();
  for (const event of state.outbox) events.set(event.accountId, [...(events.get(event.accountId) ?? []), event]);
  assert.equal(state.outbox.length, new Set(state.outbox.map((e) => e.id)).size, 'event ids are unique');
  for (const account of state.accounts.values()) {
    const own = events.get(account.id) ?? [];
    assert.deepEqual(own.map((e) => e.sequence), Array.from({ length: account.version }, (_, i) => i + 1), 'one event per version, in commit order');
    assert.ok(own.every((e) => e.ownerId === account.ownerId), 'every event belongs to the account’s owner');
    assert.equal(own[0]?.type, 'bank.account.opened');
    const posted = own.filter((e) => e.type === 'bank.transaction.posted').map((e) => e.payload);
    assert.deepEqual(posted, (lines.get(account.id) ?? []).toSorted((a, b) => a.sequence - b.sequence), 'one event per ledger line, carrying it');
    const last = own.at(-1);
    if (last?.type !== 'bank.transaction.posted') assert.deepEqual(last?.payload, account, 'an account event carries the account as it is after the change');
  }
  assert.equal(state.outbox.length, [...state.accounts.values()].reduce((n, a) => n + a.version, 0), 'no event about anything else');
}

// ── Commands ─────────────────────────────────────────────────────────────────────────────────

let commandsRun = 0;
/** How often each outcome was seen, to show the sequences reach every branch. */
const seen = new Map<string, number>();
const saw = (outcome: string) => void seen.set(outcome, (seen.get(outcome) ?? 0) + 1);

/** Every command checks the invariants after it runs. */
abstract class BankCommand implements Command {
  abstract check(model: Readonly<Model>): boolean;
  abstract apply(model: Model, real: Real): Promise<void>;
  abstract toString(): string;
  async run(model: Model, real: Real): Promise<void> {
    commandsRun++;
    await this.apply(model, real);
    checkInvariants(model, real.b.state());
  }
}

const pick = <T>(items: readonly T[], index: number): T => items[index % items.length]!;

class Register extends BankCommand {
  constructor(readonly existing: number | null) {
    super();
  }
  check(model: Readonly<Model>) {
    return this.existing === null ? model.users.length < MAX_USERS : model.users.length > 0;
  }
  async apply(model: Model, real: Real) {
    if (this.existing !== null) {
      const taken = pick(model.users, this.existing).email;
      await assert.rejects(
        real.b.banking.registerUser.execute({ email: ` ${taken.toUpperCase()} `, password: PASSWORD, fullName: 'Again' }),
        { code: 'email_taken' },
      );
      saw('email_taken');
      return;
    }
    const email = `user${model.users.length}@model.test`;
    const user = await real.b.banking.registerUser.execute({ email, password: PASSWORD, fullName: `User ${model.users.length}` });
    model.users.push({ id: user.id, email });
  }
  toString() {
    return this.existing === null ? 'register' : `register(taken ${this.existing})`;
  }
}

class Open extends BankCommand {
  constructor(readonly user: number, readonly type: 'COURANT' | 'EPARGNE', readonly currency: Currency) {
    super();
  }
  check(model: Readonly<Model>) {
    return model.users.length > 0;
  }
  async apply(model: Model, real: Real) {
    const owner = this.user % model.users.length;
    const userId = model.users[owner]!.id;
    const open = model.accounts.filter((a) => a.owner === owner && a.status !== 'CLOSED').length;
    const result = await outcomeOf(real.b.banking.openAccount.execute({ userId, type: this.type, currency: this.currency }));
    if (open >= 5) {
      assert.equal(result.ok ? 'opened' : result.error.code, 'account_limit_reached');
      saw('account_limit_reached');
      return;
    }
    assert.ok(result.ok, 'opened');
    assert.deepEqual([result.value.balance, result.value.status, result.value.currency], [0, 'ACTIVE', this.currency]);
    model.accounts.push({ id: result.value.id, number: result.value.number, owner, currency: this.currency, balance: 0, status: 'ACTIVE' });
  }
  toString() {
    return `open(u${this.user}, ${this.type}, ${this.currency})`;
  }
}

class Cash extends BankCommand {
  constructor(
    readonly account: number,
    readonly caller: number | null,
    readonly type: 'DEPOT' | 'RETRAIT',
    readonly amount: AmountSpec,
    readonly key: string | null,
  ) {
    super();
  }
  check(model: Readonly<Model>) {
    return model.accounts.length > 0;
  }
  async apply(model: Model, real: Real) {
    const account = pick(model.accounts, this.account);
    const caller = this.caller === null ? account.owner : this.caller % model.users.length;
    const { amount, minor } = resolveAmount(this.amount, account.currency, account.balance);
    await move(model, real, { kind: 'cash', caller, accountId: account.id, type: this.type, amount, minor, ...(this.key !== null && { key: this.key }) });
  }
  toString() {
    return `${this.type}(a${this.account}, by ${this.caller ?? 'owner'}, ${JSON.stringify(this.amount)}, key ${this.key})`;
  }
}

type Destination = { readonly kind: 'other'; readonly offset: number } | { readonly kind: 'same' } | { readonly kind: 'unknown' };

class Transfer extends BankCommand {
  constructor(
    readonly from: number,
    readonly to: Destination,
    readonly caller: number | null,
    readonly amount: AmountSpec,
    readonly key: string | null,
  ) {
    super();
  }
  check(model: Readonly<Model>) {
    return model.accounts.length > 0;
  }
  async apply(model: Model, real: Real) {
    const fromIndex = this.from % model.accounts.length;
    const from = model.accounts[fromIndex]!;
    const n = model.accounts.length;
    const toAccountNumber =
      this.to.kind === 'unknown'
        ? '000000000000'
        : this.to.kind === 'same' || n === 1
          ? from.number
          : model.accounts[(fromIndex + 1 + (this.to.offset % (n - 1))) % n]!.number;
    const caller = this.caller === null ? from.owner : this.caller % model.users.length;
    const { amount, minor } = resolveAmount(this.amount, from.currency, from.balance);
    await move(model, real, {
      kind: 'transfer',
      caller,
      fromAccountId: from.id,
      toAccountNumber,
      amount,
      minor,
      ...(this.key !== null && { key: this.key }),
    });
  }
  toString() {
    const to = this.to.kind === 'other' ? `+${this.to.offset + 1}` : this.to.kind;
    return `transfer(a${this.from} → ${to}, by ${this.caller ?? 'owner'}, ${JSON.stringify(this.amount)}, key ${this.key})`;
  }
}

/** Sends an earlier keyed movement again, exactly as it was sent. */
class Replay extends BankCommand {
  constructor(readonly index: number) {
    super();
  }
  check(model: Readonly<Model>) {
    return model.keyed.length > 0;
  }
  async apply(model: Model, real: Real) {
    await move(model, real, pick(model.keyed, this.index));
  }
  toString() {
    return `replay(${this.index})`;
  }
}

class ChangeStatus extends BankCommand {
  constructor(readonly account: number, readonly action: 'freeze' | 'unfreeze' | 'close', readonly caller: number | null) {
    super();
  }
  check(model: Readonly<Model>) {
    return model.accounts.length > 0;
  }
  async apply(model: Model, real: Real) {
    const account = pick(model.accounts, this.account);
    const caller = this.caller === null ? account.owner : this.caller % model.users.length;
    const query = { userId: model.users[caller]!.id, accountId: account.id };
    const useCase = { freeze: real.b.banking.freezeAccount, unfreeze: real.b.banking.unfreezeAccount, close: real.b.banking.closeAccount }[this.action];
    const result = await outcomeOf(useCase.execute(query));
    let expected: string;
    if (caller !== account.owner) expected = 'not_found';
    else if (account.status === 'CLOSED') expected = 'account_closed';
    else if (this.action === 'freeze') expected = account.status === 'FROZEN' ? 'account_frozen' : 'FROZEN';
    else if (this.action === 'unfreeze') expected = account.status === 'FROZEN' ? 'ACTIVE' : 'account_not_frozen';
    else expected = account.balance !== 0 ? 'balance_not_zero' : 'CLOSED';
    assert.equal(result.ok ? result.value.status : result.error.code, expected, `${this.action} of a ${account.status} account`);
    saw(result.ok ? this.action : expected);
    if (result.ok) account.status = result.value.status;
  }
  toString() {
    return `${this.action}(a${this.account}, by ${this.caller ?? 'owner'})`;
  }
}

/** Reads through the cache: what a client reads right after a write is the write. */
class Read extends BankCommand {
  constructor(readonly account: number) {
    super();
  }
  check(model: Readonly<Model>) {
    return model.accounts.length > 0;
  }
  async apply(model: Model, real: Real) {
    const account = pick(model.accounts, this.account);
    const userId = model.users[account.owner]!.id;
    const balance = await real.b.banking.getBalance.execute({ userId, accountId: account.id });
    assert.equal(balance.balance, account.balance, 'cached balance');
    const list = await real.b.banking.listAccounts.execute({ userId, pageSize: 100 });
    const mine = model.accounts.filter((a) => a.owner === account.owner);
    assert.deepEqual(
      list.items.map((a) => [a.id, a.balance, a.status]).sort(),
      mine.map((a) => [a.id, a.balance, a.status]).sort(),
      'cached list of accounts',
    );
  }
  toString() {
    return `read(a${this.account})`;
  }
}

class Tick extends BankCommand {
  constructor(readonly hours: number) {
    super();
  }
  check() {
    return true;
  }
  apply(model: Model, real: Real) {
    real.b.clock.advance(this.hours * 60 * 60 * 1000);
    model.now += this.hours * 60 * 60 * 1000;
    return Promise.resolve();
  }
  toString() {
    return `tick(${this.hours} h)`;
  }
}

/** null (the common case) `weight` times as often as a value of `arbitrary`. */
const mostlyNull = <T>(arbitrary: fc.Arbitrary<T>, weight: number) =>
  fc.oneof({ weight, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });

const index = fc.nat({ max: 20 });
/** Usually the account's owner (null); sometimes any user, who may not own it. */
const caller = mostlyNull(fc.nat({ max: MAX_USERS - 1 }), 4);
const key = mostlyNull(fc.constantFrom(...KEYS), 1);
/** Usually another existing account; sometimes the same one, or a number nobody holds. */
const destination: fc.Arbitrary<Destination> = fc.oneof(
  { weight: 8, arbitrary: index.map((offset) => ({ kind: 'other' as const, offset })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'same' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'unknown' as const }) },
);

const deposit = fc.tuple(index, caller, amountSpec(200_000), key).map(([account, by, amount, k]) => new Cash(account, by, 'DEPOT', amount, k));
const withdraw = fc.tuple(index, caller, amountSpec(5_000), key).map(([account, by, amount, k]) => new Cash(account, by, 'RETRAIT', amount, k));
const transfer = fc.tuple(index, destination, caller, amountSpec(5_000), key).map(([from, to, by, amount, k]) => new Transfer(from, to, by, amount, k));
// Mostly the first user, so that sequences also reach the cap of 5 accounts.
const open = fc
  .tuple(fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: index }), fc.constantFrom('COURANT' as const, 'EPARGNE' as const), fc.constantFrom<Currency>('HTG', 'HTG', 'JPY'))
  .map(([user, type, currency]) => new Open(user, type, currency));
const statusAction = fc.constantFrom('freeze' as const, 'freeze' as const, 'unfreeze' as const, 'unfreeze' as const, 'close' as const);

/** fc.commands picks uniformly among these: repeating an entry weights it. */
const commandArbitraries: fc.Arbitrary<Command>[] = [
  mostlyNull(index, 4).map((existing) => new Register(existing)),
  open,
  open,
  deposit,
  deposit,
  deposit,
  withdraw,
  withdraw,
  transfer,
  transfer,
  transfer,
  index.map((i) => new Replay(i)),
  index.map((i) => new Replay(i)),
  fc.tuple(index, statusAction, caller).map(([account, action, by]) => new ChangeStatus(account, action, by)),
  index.map((account) => new Read(account)),
  fc.constantFrom(1, 12, 24).map((hours) => new Tick(hours)),
];

t.test(`random command sequences keep the bank equal to its model and its invariants (${NUM_RUNS} runs)`, async (t) => {
  const seed = testSeed(t);
  let runs = 0;
  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(fc.commands(commandArbitraries, { maxCommands: MAX_COMMANDS, size: 'max' }), async (commands) => {
      runs++;
      const setup = async () => {
        const b = bank();
        const model: Model = {
          users: [],
          accounts: [],
          deposits: { HTG: 0, JPY: 0 },
          withdrawals: { HTG: 0, JPY: 0 },
          records: new Map(),
          keyed: [],
          now: 0,
          ledgerLines: 0,
          transfers: 0,
        };
        const real = { b };
        // Two customers with one HTG account each, so that most sequences move money from the start.
        for (const step of [new Register(null), new Register(null), new Open(0, 'COURANT', 'HTG'), new Open(1, 'COURANT', 'HTG')]) {
          await step.apply(model, real);
        }
        return { model, real };
      };
      await fc.asyncModelRun(setup, commands);
    }),
    { numRuns: NUM_RUNS, seed },
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  // Printed for CI logs: how many sequences and commands were actually executed.
  t.comment(`model-based runs executed: ${runs}, commands executed: ${commandsRun}, in ${seconds} s`);
  console.log(`# model-based runs executed: ${runs} (commands: ${commandsRun}, ${seconds} s)`);
  t.comment(`outcomes: ${JSON.stringify(Object.fromEntries([...seen].sort()))}`);
  t.ok(runs >= NUM_RUNS, `at least ${NUM_RUNS} runs`);
  for (const outcome of [
    'DEPOT', 'RETRAIT', 'transfer', 'freeze', 'unfreeze', 'close',
    'replayed cash', 'replayed transfer', 'replayed refusal', 'idempotency_key_reused',
    'not_found', 'validation_failed', 'insufficient_funds', 'account_frozen', 'account_closed',
    'account_not_frozen', 'balance_not_zero', 'currency_mismatch', 'same_account',
    'account_limit_reached', 'email_taken',
  ]) {
    t.ok((seen.get(outcome) ?? 0) > 0, `sequences reached ${outcome}`);
  }
  t.ok(commandsRun >= NUM_RUNS * 5, 'sequences are not trivially short');
});
