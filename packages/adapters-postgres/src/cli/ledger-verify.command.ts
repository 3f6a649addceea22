import { openDatabase } from '../database.js';
import { errorReason } from '../error-reason.js';
import { ledgerSummary, verifyLedger } from '../ledger-verify.js';
import { target, type Env, type Print } from './migrate.command.js';

/**
 * `pnpm ledger:verify`: prints each violation of the money invariants and returns 1, or prints
 * one OK line and returns 0; 2 when the database cannot be read.
 */
export async function ledgerVerifyCommand(env: Env, print: Print, printError: Print): Promise<number> {
  const { databaseUrl, dataDir, label } = target(env);
  try {
    // No statement timeout: a full check reads every ledger line (10M lines take well over the
    // API's 5 s bound per statement, which is meant for requests, not for this offline check).
    const database = await openDatabase({ databaseUrl, dataDir, statementTimeoutMs: 0, processName: 'pnpm ledger:verify' });
    try {
      const violations = await verifyLedger(database);
      if (violations.length > 0) {
        for (const v of violations) print(`VIOLATION ${v.check}: ${v.detail}`);
        print(`ledger:verify FAILED: ${violations.length} violation(s) (${label})`);
        return 1;
      }
      const s = await ledgerSummary(database);
      const totals = Object.entries(s.totals).map(([currency, total]) => `${currency} ${total}`).join(', ') || 'none';
      print(`ledger:verify OK: ${s.accounts} accounts, ${s.entries} ledger lines, ${s.transfers} transfers; balances in minor units: ${totals} (${label})`);
      return 0;
    } finally {
      await database.close();
    }
  } catch (error) {
    printError(`ledger:verify: ${errorReason(error)}`);
    return 2;
  }
}
