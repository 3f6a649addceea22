import t from 'tap';
import { startApi } from '../packages/http-fastify/test/support/api-process.js';
import { API, call, deposit, openAccount, signUp } from '../packages/http-fastify/test/support/http-client.js';
import { freshDatabase, requireServices } from '../packages/http-fastify/test/support/services.js';
import { ledgerVerify } from './support/ledger-verify.js';
import { count, recordResult } from './support/results.js';

/**
 * The double spend: 32 withdrawals of 9.00 sent at the same instant over HTTP against a balance
 * of 10.00, 200 times. Exactly one may win each round; the 31 others are refused for insufficient
 * funds, and the account never goes below zero.
 */

const ROUNDS = process.env['PROOF_SOAK'] === '1' ? 1000 : 200;
const RACERS = 32;

t.test(`double spend: ${ROUNDS} rounds of ${RACERS} concurrent withdrawals of 9.00 from 10.00`, async (t) => {
  if (!(await requireServices(t, { machineRedis: false }))) return;
  const db = await freshDatabase(t);
  const api = await startApi(t, 'double-spend', {
    DATABASE_URL: db.url,
    RATE_LIMIT_PER_MINUTE: '1000000',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    LOG_LEVEL: 'error',
  });
  const client = await signUp(api.url);
  const account = await openAccount(api.url, client);
  await deposit(api.url, client, account.id, 1000);

  const wins: number[] = [];
  const otherAnswers = new Map<string, number>();
  const badBalances: string[] = [];
  const started = Date.now();
  for (let round = 0; round < ROUNDS; round++) {
    const answers = await Promise.all(
      Array.from({ length: RACERS }, () =>
        call(api.url, 'POST', `${API}/accounts/${account.id}/transactions`, { token: client.accessToken, json: { type: 'RETRAIT', amount: '9.00' } }),
      ),
    );
    wins.push(answers.filter((a) => a.status === 201).length);
    for (const a of answers) {
      if (a.status === 201 && a.body.balance_after !== 1) badBalances.push(`round ${round}: balance_after ${a.body.balance_after}`);
      if (a.status !== 201) {
        const key = `${a.status} ${a.body?.code ?? ''}`;
        otherAnswers.set(key, (otherAnswers.get(key) ?? 0) + 1);
      }
    }
    const balance = await call(api.url, 'GET', `${API}/accounts/${account.id}/balance`, { token: client.accessToken });
    if (balance.body?.balance !== 1) badBalances.push(`round ${round}: balance ${balance.body?.balance} after the race`);
    await deposit(api.url, client, account.id, 900);
  }
  const elapsed = Date.now() - started;

  const roundsWithOneWin = wins.filter((w) => w === 1).length;
  const overdrafts = wins.filter((w) => w > 1).length;
  const withdrawals = Number(await db.query(`select count(*) from ledger_entries where type = 'RETRAIT'`));
  const finalBalance = Number(await db.query(`select balance from accounts where id = '${account.id}'`));
  const verify = await ledgerVerify(db.url);
  const refusals = otherAnswers.get('400 insufficient_funds') ?? 0;

  t.equal(roundsWithOneWin, ROUNDS, 'exactly one withdrawal succeeds in every round', { wins: wins.filter((w) => w !== 1).slice(0, 10) });
  t.equal(overdrafts, 0, 'no round lets two withdrawals through');
  t.same([...otherAnswers.keys()], ['400 insufficient_funds'], 'every loser is refused with 400 insufficient_funds (no 5xx, no 409)');
  t.same(badBalances, [], 'the balance is 1.00 after every race');
  t.equal(withdrawals, ROUNDS, 'one withdrawal line per round in the ledger');
  t.equal(finalBalance, 1000, 'final balance 10.00: the opening 10.00, one 9.00 withdrawn and one 9.00 refilled per round');
  t.equal(verify.code, 0, `ledger:verify is clean: ${verify.out}`);

  await recordResult('double-spend', {
    order: 2,
    proof: 'Double spend over HTTP (1 API process, PostgreSQL)',
    tried: `${ROUNDS} rounds × ${RACERS} concurrent withdrawals of 9.00 on 10.00 = ${count(ROUNDS * RACERS)} withdrawals in ${(elapsed / 1000).toFixed(1)} s`,
    held: `exactly one success in ${roundsWithOneWin}/${ROUNDS} rounds; ${count(refusals)} refused insufficient_funds; overdrafts ${overdrafts}; other answers ${[...otherAnswers.entries()].filter(([k]) => k !== '400 insufficient_funds').length}; ledger:verify ${verify.code === 0 ? 'OK' : 'FAILED'}`,
    ok: roundsWithOneWin === ROUNDS && badBalances.length === 0 && otherAnswers.size === 1 && withdrawals === ROUNDS && finalBalance === 1000 && verify.code === 0,
    figures: {
      rounds: ROUNDS,
      'withdrawals sent': ROUNDS * RACERS,
      'rounds with exactly one success': roundsWithOneWin,
      'rounds with more than one (must be 0)': overdrafts,
      'rounds with none (must be 0)': wins.filter((w) => w === 0).length,
      'answers other than 201 / 400 insufficient_funds (must be 0)': [...otherAnswers.entries()].filter(([k]) => k !== '400 insufficient_funds').reduce((s, [, n]) => s + n, 0),
      'withdrawal lines in the ledger': withdrawals,
      'final balance (minor units)': finalBalance,
      'withdrawals per second': Math.round((ROUNDS * RACERS) / (elapsed / 1000)),
      'ledger:verify': verify.out,
    },
  });
});
