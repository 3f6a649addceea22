// `pnpm ledger:verify`: checks the money invariants over the whole database (DATABASE_URL, or the
// embedded database in DATA_DIR). Prints each violation and exits 1, or one OK line and exits 0.
import { openDatabase } from '../database.js';
import { ledgerSummary, verifyLedger } from '../ledger-verify.js';

const databaseUrl = process.env['DATABASE_URL'] || undefined;
const dataDir = process.env['DATA_DIR'] || './data';

try {
  const database = await openDatabase({ databaseUrl, dataDir });
  try {
    const violations = await verifyLedger(database);
    if (violations.length > 0) {
      for (const v of violations) console.log(`VIOLATION ${v.check}: ${v.detail}`);
      console.log(`ledger:verify FAILED: ${violations.length} violation(s)`);
      process.exitCode = 1;
    } else {
      const s = await ledgerSummary(database);
      const totals = Object.entries(s.totals).map(([currency, total]) => `${currency} ${total}`).join(', ') || 'no money';
      console.log(`ledger:verify OK: ${s.accounts} accounts, ${s.entries} ledger lines, ${s.transfers} transfers; balances (minor units) ${totals}`);
    }
  } finally {
    await database.close();
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
}
