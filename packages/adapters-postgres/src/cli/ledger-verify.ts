// Entry point of `pnpm ledger:verify` (reads DATABASE_URL / DATA_DIR).
import { ledgerVerifyCommand } from './ledger-verify.command.js';

process.exitCode = await ledgerVerifyCommand(process.env, console.log, console.error);
