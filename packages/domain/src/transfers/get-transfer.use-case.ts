import type { BankingDeps } from '../banking-deps.js';
import { TransferNotFound } from '../errors.js';
import type { Transfer } from './transfer.js';

export interface TransferQuery {
  readonly userId: string;
  readonly transferId: string;
}

export interface TransferView {
  readonly transfer: Transfer;
  /** Whether the caller owns the source account (only they may see its balance after). */
  readonly callerOwnsSource: boolean;
}

/** A transfer the caller is a party to (owns either side); anyone else is told it does not exist. */
export class GetTransfer {
  constructor(private readonly deps: Pick<BankingDeps, 'uow'>) {}

  async execute(query: TransferQuery): Promise<TransferView> {
    return this.deps.uow.read(async (store) => {
      const transfer = await store.transfers.findById(query.transferId);
      if (transfer === undefined) throw new TransferNotFound();
      const [from, to] = await Promise.all([
        store.accounts.findById(transfer.fromAccountId),
        store.accounts.findById(transfer.toAccountId),
      ]);
      const callerOwnsSource = from?.ownerId === query.userId;
      if (!callerOwnsSource && to?.ownerId !== query.userId) throw new TransferNotFound();
      return { transfer, callerOwnsSource };
    });
  }
}
