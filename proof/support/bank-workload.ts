import type { SeededRandom } from '@banking/testing';
import { API, call, major, type Answer, type Client, type OpenedAccount } from '../../packages/http-fastify/test/support/http-client.js';

export type OpKind = 'deposit' | 'withdrawal' | 'transfer';
export type Outcome = 'ok' | 'refused' | 'unknown';

export interface Holder {
  readonly client: Client;
  readonly accounts: readonly OpenedAccount[];
}

/** One money movement a client asked for, with every attempt's answer. */
export interface Operation {
  readonly n: number;
  readonly kind: OpKind;
  readonly holder: Holder;
  readonly account: OpenedAccount;
  /** Transfers only: the destination. */
  readonly to?: OpenedAccount;
  /** Minor units. */
  readonly amount: number;
  /** Written in the movement's description, so its ledger lines and transfer can be found. */
  readonly tag: string;
  readonly key: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly statuses: number[];
  outcome: Outcome;
  /** The first answer was not definite (no answer, 5xx, 409 in progress): resolved later by a retry. */
  unknownAtFirst: boolean;
  /** The answer that settled it came with Idempotent-Replayed: true. */
  replayed: boolean;
  refusalCode?: string;
  /** Deposits and withdrawals: the ledger line's id. */
  ledgerId?: string;
  /** Transfers: the transfer's id. */
  transferId?: string;
}

/** Answers that a money test must never see, whatever the fault (with what they were). */
export interface Anomaly {
  readonly op: number;
  readonly status: number;
  readonly body: string;
}

export interface WorkloadOptions {
  readonly holders: readonly Holder[];
  /** Current base URL of each API instance (looked up at every request: instances restart). */
  readonly instances: () => readonly string[];
  readonly clients: number;
  readonly runTag: string;
  readonly timeoutMs?: number;
  /** Draws the operations, accounts, amounts, instances and back-offs: seeded, so that TEST_SEED replays the choices. */
  readonly random: SeededRandom;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Refusals a healthy bank gives this workload: money it does not have. Anything else is an anomaly. */
const EXPECTED_REFUSALS = new Set(['insufficient_funds']);

/**
 * Jepsen's bank test over HTTP: clients (two per account holder, so they race on the same
 * accounts) make deposits, withdrawals and transfers to anyone, each with its own Idempotency-Key,
 * against a random API instance; every answer is recorded as ok, refused or unknown.
 */
export class BankWorkload {
  readonly operations: Operation[] = [];
  readonly anomalies: Anomaly[] = [];
  requests = 0;
  readonly statusCounts = new Map<number, number>();
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly everyAccount: OpenedAccount[];

  constructor(private readonly options: WorkloadOptions) {
    this.everyAccount = options.holders.flatMap((h) => h.accounts);
  }

  start(): void {
    for (let i = 0; i < this.options.clients; i++) {
      const holder = this.options.holders[i % this.options.holders.length]!;
      this.loops.push(this.clientLoop(holder));
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  private async clientLoop(holder: Holder): Promise<void> {
    while (!this.stopping) {
      const op = this.newOperation(holder);
      const answer = await this.send(op);
      this.settle(op, answer, true);
      // A refused connection or a 503 answers at once: back off like a real client instead of
      // spinning on an instance being restarted or a database being down.
      if (answer.status === 0 || answer.status === 503) await sleep(this.options.random.int(50, 200));
    }
  }

  private newOperation(holder: Holder): Operation {
    const n = this.operations.length + 1;
    const { random } = this.options;
    const roll = random.next();
    const kind: OpKind = roll < 0.3 ? 'deposit' : roll < 0.55 ? 'withdrawal' : 'transfer';
    const account = random.pick(holder.accounts);
    const amount = kind === 'deposit' ? random.int(1, 20_000) : random.int(1, 30_000);
    const tag = `${this.options.runTag}-op-${n}`;
    // Amounts as a JSON number or as a decimal string, both allowed by the contract.
    const amountField = random.next() < 0.5 ? major(amount) : amount / 100;
    let to: OpenedAccount | undefined;
    let path: string;
    let body: Record<string, unknown>;
    if (kind === 'transfer') {
      do to = random.pick(this.everyAccount);
      while (to.id === account.id);
      path = `${API}/transfers`;
      body = { from_account_id: account.id, to_account_number: to.number, amount: amountField, description: tag };
    } else {
      path = `${API}/accounts/${account.id}/transactions`;
      body = { type: kind === 'deposit' ? 'DEPOT' : 'RETRAIT', amount: amountField, description: tag };
    }
    const op: Operation = {
      n,
      kind,
      holder,
      account,
      ...(to !== undefined && { to }),
      amount,
      tag,
      key: `${tag}-key`,
      path,
      body,
      statuses: [],
      outcome: 'unknown',
      unknownAtFirst: false,
      replayed: false,
    };
    this.operations.push(op);
    return op;
  }

  private async send(op: Operation): Promise<Answer> {
    const base = this.options.random.pick(this.options.instances());
    this.requests++;
    const answer = await call(base, 'POST', op.path, {
      token: op.holder.client.accessToken,
      json: op.body,
      headers: { 'idempotency-key': op.key },
      timeoutMs: this.options.timeoutMs ?? 15_000,
    });
    op.statuses.push(answer.status);
    this.statusCounts.set(answer.status, (this.statusCounts.get(answer.status) ?? 0) + 1);
    return answer;
  }

  /** Classifies one answer; `first` marks the operation's first attempt. */
  private settle(op: Operation, answer: Answer, first: boolean): void {
    const { status, body } = answer;
    const anomaly = () => this.anomalies.push({ op: op.n, status, body: JSON.stringify(body).slice(0, 300) });
    if (status === 201) {
      op.outcome = 'ok';
      op.replayed = answer.headers.get('idempotent-replayed') === 'true';
      if (op.kind === 'transfer') op.transferId = body.transfer_id;
      else op.ledgerId = body.id;
      const expected = major(op.amount);
      if (major(Math.round(Number(body.amount) * 100)) !== expected) anomaly();
    } else if (status === 400 && EXPECTED_REFUSALS.has(body?.code)) {
      op.outcome = 'refused';
      op.refusalCode = body.code;
      op.replayed = answer.headers.get('idempotent-replayed') === 'true';
    } else if (status === 0 || status === 503 || (status === 409 && body?.code === 'idempotency_in_progress')) {
      // No answer, the database or the instance unavailable, or an earlier attempt still running:
      // the movement may or may not have happened.
      if (first) op.unknownAtFirst = true;
    } else {
      // 500, 401, 404, 422 (idempotency_key_reused), 429 or an unexpected refusal: a bug under test.
      anomaly();
      if (first) op.unknownAtFirst = true;
    }
  }

  /**
   * After the faults have healed: retries every unknown operation with its own key and body until
   * the bank gives a definite answer. Returns those still unknown after `attempts` tries.
   */
  async resolveUnknowns(attempts = 40): Promise<Operation[]> {
    const pending = this.operations.filter((op) => op.outcome === 'unknown');
    for (let i = 0; i < attempts && pending.length > 0; i++) {
      const batch = pending.splice(0, pending.length);
      for (let j = 0; j < batch.length; j += 16) {
        await Promise.all(
          batch.slice(j, j + 16).map(async (op) => {
            this.settle(op, await this.send(op), false);
            if (op.outcome === 'unknown') pending.push(op);
          }),
        );
      }
      if (pending.length > 0) await sleep(500);
    }
    return pending;
  }
}
