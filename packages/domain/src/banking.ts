import { invalidateReadCache } from './accounts/account-cache.js';
import { FreezeAccount, UnfreezeAccount, CloseAccount } from './accounts/change-account-status.use-case.js';
import { GetAccount } from './accounts/get-account.use-case.js';
import { GetBalance } from './accounts/get-balance.use-case.js';
import { ListAccounts } from './accounts/list-accounts.use-case.js';
import { OpenAccount } from './accounts/open-account.use-case.js';
import { CheckAccess } from './auth/check-access.use-case.js';
import { CheckSession } from './auth/check-session.use-case.js';
import { Login } from './auth/login.use-case.js';
import { Logout } from './auth/logout.use-case.js';
import { RefreshSession } from './auth/refresh-session.use-case.js';
import { RestoreDenylist } from './auth/restore-denylist.use-case.js';
import type { BankingDeps } from './banking-deps.js';
import { SweepIdempotencyRecords } from './idempotency/sweep-idempotency-records.use-case.js';
import { ListTransactions } from './ledger/list-transactions.use-case.js';
import { PostTransaction } from './ledger/post-transaction.use-case.js';
import { GetTransfer } from './transfers/get-transfer.use-case.js';
import { TransferMoney } from './transfers/transfer-money.use-case.js';
import { GetProfile } from './users/get-profile.use-case.js';
import { RegisterUser } from './users/register-user.use-case.js';

/**
 * Every use case of the bank, wired to one set of adapters. Subscribes the read cache's
 * invalidation to the unit of work's committed events.
 */
export function createBanking(deps: BankingDeps) {
  deps.uow.subscribe(invalidateReadCache(deps));
  return {
    registerUser: new RegisterUser(deps),
    getProfile: new GetProfile(deps),
    login: new Login(deps),
    refreshSession: new RefreshSession(deps),
    logout: new Logout(deps),
    checkAccess: new CheckAccess(deps),
    checkSession: new CheckSession(deps),
    restoreDenylist: new RestoreDenylist(deps),
    openAccount: new OpenAccount(deps),
    getAccount: new GetAccount(deps),
    listAccounts: new ListAccounts(deps),
    getBalance: new GetBalance(deps),
    freezeAccount: new FreezeAccount(deps),
    unfreezeAccount: new UnfreezeAccount(deps),
    closeAccount: new CloseAccount(deps),
    postTransaction: new PostTransaction(deps),
    listTransactions: new ListTransactions(deps),
    transferMoney: new TransferMoney(deps),
    getTransfer: new GetTransfer(deps),
    sweepIdempotencyRecords: new SweepIdempotencyRecords(deps),
  } as const;
}

export type Banking = ReturnType<typeof createBanking>;
