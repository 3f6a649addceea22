import { API, call, major, minor, type Answer, type Client, type OpenedAccount } from './http-client.js';
import type { SeededRandom } from '@banking/testing';
import type { TestDatabase } from './services.js';

/**
 * Every movement on the watched account moves its balance by +1 modulo STEP (credits are
 * STEP*c + 1 minor units, debits STEP*d - 1), and it opens with a multiple of STEP: so a balance
 * names its position in the account's ledger exactly (`balance mod STEP`), whichever endpoint
 * answered it and whatever order the movements committed in.
 */
export const STEP = 10_000;
export const OPENING = 10_000 * STEP;

export const positionOf = (balanceMinor: number): number => balanceMinor % STEP;

export interface Observation extends Answer {
  readonly kind: 'write' | 'read';
  readonly what: string;
  readonly instance: string;
  /** The watched account's balance (minor units) after the write / as read. */
  balance?: number;
  /** Incoming transfers answer the source's balance: resolved from the ledger afterwards. */
  readonly transferId?: string;
}

export interface TrafficSetup {
  /** Base URLs of the API instances; requests rotate over them. */
  readonly instances: readonly string[];
  /** Owner of the watched account `a`. */
  readonly owner: Client;
  /** Owner of the counterparty account `c`. */
  readonly other: Client;
  readonly a: OpenedAccount;
  readonly c: OpenedAccount;
  /** Draws the amounts: seeded, so that TEST_SEED replays them. */
  readonly random: SeededRandom;
}

export interface TrafficReport {
  readonly writes: number;
  readonly reads: number;
  /** Requests answered 5xx or not answered at all. */
  readonly failures: readonly Observation[];
  /** Writes that did not get 201. */
  readonly refusedWrites: readonly Observation[];
  /** Reads (200) that started after a write's 2xx and showed an earlier ledger position. */
  readonly stale: readonly string[];
  /** Reads (200) whose balance is not one the ledger ever had. */
  readonly unknownBalances: readonly string[];
  /** Ledger lines whose balance does not encode their sequence (something else moved the account). */
  readonly ledgerMismatches: number;
  /** Reads that started within 20 ms of a write's 2xx (the closest races the run produced). */
  readonly tightReads: number;
  readonly statusCounts: Readonly<Record<string, number>>;
}

const pick = <T>(items: readonly T[], i: number): T => items[i % items.length]!;

/** Concurrent writers (deposits, withdrawals, transfers both ways) and readers (balance, account, list) on one account. */
export class AccountTraffic {
  readonly observations: Observation[] = [];
  private stopping = false;
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly setup: TrafficSetup) {}

  start(): void {
    const { instances, owner, other, a, c, random } = this.setup;
    const credit = () => major(STEP * random.int(1, 3) + 1);
    const debit = () => major(STEP * random.int(1, 2) - 1);
    this.loop('deposit', 'write', (base) =>
      call(base, 'POST', `${API}/accounts/${a.id}/transactions`, { token: owner.accessToken, json: { type: 'DEPOT', amount: credit() } }),
    );
    this.loop('withdrawal', 'write', (base) =>
      call(base, 'POST', `${API}/accounts/${a.id}/transactions`, { token: owner.accessToken, json: { type: 'RETRAIT', amount: debit() } }),
    );
    this.loop('transfer out', 'write', (base) =>
      call(base, 'POST', `${API}/transfers`, { token: owner.accessToken, json: { from_account_id: a.id, to_account_number: c.number, amount: debit() } }),
    );
    this.loop('transfer in', 'write', (base) =>
      call(base, 'POST', `${API}/transfers`, { token: other.accessToken, json: { from_account_id: c.id, to_account_number: a.number, amount: credit() } }),
    );
    for (const [index] of instances.entries()) {
      this.loop('balance', 'read', () => call(instances[index]!, 'GET', `${API}/accounts/${a.id}/balance`, { token: owner.accessToken }));
      this.loop('account', 'read', () => call(instances[index]!, 'GET', `${API}/accounts/${a.id}`, { token: owner.accessToken }));
      this.loop('list', 'read', () => call(instances[index]!, 'GET', `${API}/accounts?page_size=100`, { token: owner.accessToken }));
    }
  }

  /**
   * Resolves once the writes (201) and reads (200) answered so far satisfy `enough`: a test that
   * needs some traffic waits for it, however slow a loaded machine makes each request. `guardMs`
   * only keeps a broken run from hanging.
   */
  async until(what: string, enough: (answered: { readonly writes: number; readonly reads: number }) => boolean, guardMs = 120_000): Promise<void> {
    const deadline = Date.now() + guardMs;
    for (;;) {
      const answered = { writes: 0, reads: 0 };
      for (const o of this.observations) {
        if (o.kind === 'write' && o.status === 201) answered.writes++;
        else if (o.kind === 'read' && o.status === 200) answered.reads++;
      }
      if (enough(answered)) return;
      if (Date.now() > deadline) throw new Error(`traffic: no ${what} within ${guardMs / 1000} s (${JSON.stringify(answered)})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Lets every loop finish its request in flight, then resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  private loop(what: string, kind: 'write' | 'read', request: (base: string) => Promise<Answer>): void {
    const { instances, a } = this.setup;
    this.loops.push(
      (async () => {
        for (let i = 0; !this.stopping; i++) {
          const instance = pick(instances, i);
          const answer = await request(instance);
          const observation: Observation = {
            ...answer,
            kind,
            what,
            instance,
            ...(what === 'transfer in' && answer.status === 201 && { transferId: answer.body.transfer_id as string }),
          };
          if (answer.status === 201 || answer.status === 200) {
            const b = answer.body;
            const value =
              what === 'deposit' || what === 'withdrawal'
                ? b.balance_after
                : what === 'transfer out'
                  ? b.new_balance
                  : what === 'list'
                    ? b.items.find((item: { id: string }) => item.id === a.id)?.balance
                    : what === 'transfer in'
                      ? undefined
                      : b.balance;
            if (typeof value === 'number') observation.balance = minor(value);
          }
          this.observations.push(observation);
        }
      })(),
    );
  }

  /** Resolves incoming transfers from the ledger and checks every read against the writes that ended before it started. */
  async report(db: TestDatabase): Promise<TrafficReport> {
    const ledger = (await db.query(`select sequence, balance_after, coalesce(transfer_id::text, '') from ledger_entries where account_id = '${this.setup.a.id}' order by sequence`))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [sequence, balance, transferId] = line.split('|');
        return { sequence: Number(sequence), balance: Number(balance), transferId: transferId ?? '' };
      });
    const byTransfer = new Map(ledger.filter((l) => l.transferId !== '').map((l) => [l.transferId, l.balance]));
    const balances = new Set(ledger.map((l) => l.balance));
    // Sequences count from the account's first version: the offset is whatever the first line has.
    const offset = ledger.length === 0 ? 0 : ledger[0]!.sequence - positionOf(ledger[0]!.balance);
    const ledgerMismatches = ledger.filter((l, i) => l.sequence - positionOf(l.balance) !== offset || (i > 0 && l.sequence !== ledger[i - 1]!.sequence + 1)).length;
    for (const o of this.observations) if (o.transferId !== undefined) o.balance = byTransfer.get(o.transferId)!;

    const writes = this.observations.filter((o) => o.kind === 'write' && o.status === 201 && o.balance !== undefined).sort((x, y) => x.end - y.end);
    const latestBefore: number[] = [];
    let max = -1;
    for (const w of writes) latestBefore.push((max = Math.max(max, positionOf(w.balance!))));
    const reads = this.observations.filter((o) => o.kind === 'read' && o.status === 200);
    const stale: string[] = [];
    const unknownBalances: string[] = [];
    let tightReads = 0;
    for (const r of reads) {
      if (r.balance === undefined || !balances.has(r.balance)) {
        unknownBalances.push(`${r.what} on ${r.instance} answered ${r.balance}`);
        continue;
      }
      // Writes whose 2xx arrived before this read was sent: the read must show the latest of them, or later.
      let lo = 0;
      let hi = writes.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (writes[mid]!.end < r.start) lo = mid + 1;
        else hi = mid;
      }
      if (lo === 0) continue;
      const last = writes[lo - 1]!;
      if (r.start - last.end < 20) tightReads++;
      if (positionOf(r.balance) < latestBefore[lo - 1]!) {
        stale.push(
          `${r.what} on ${r.instance} (${r.start.toFixed(0)}-${r.end.toFixed(0)} ms) started ${(r.start - last.end).toFixed(1)} ms after a write's 2xx and showed ledger position ${positionOf(r.balance)} < ${latestBefore[lo - 1]}`,
        );
      }
    }
    const statusCounts: Record<string, number> = {};
    for (const o of this.observations) statusCounts[`${o.what} ${o.status}`] = (statusCounts[`${o.what} ${o.status}`] ?? 0) + 1;
    return {
      writes: writes.length,
      reads: reads.length,
      failures: this.observations.filter((o) => o.status === 0 || o.status >= 500),
      refusedWrites: this.observations.filter((o) => o.kind === 'write' && o.status !== 201),
      stale,
      unknownBalances,
      ledgerMismatches,
      tightReads,
      statusCounts,
    };
  }
}
