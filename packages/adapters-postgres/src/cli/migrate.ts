// Entry point of `pnpm migrate` (reads DATABASE_URL / DATA_DIR).
import { migrateCommand } from './migrate.command.js';

process.exitCode = await migrateCommand(process.env, console.log, console.error);
