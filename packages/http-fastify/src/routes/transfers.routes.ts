import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { userOf } from '../plugins/auth.plugin.js';
import { presentTransfer } from '../presenters/transfer.presenter.js';
import { BEARER_SECURITY, IdempotencyHeaders, problems } from '../schemas/common.schema.js';
import { TransferBody, TransferOut, TransferParams } from '../schemas/transfers.schema.js';
import type { RouteDeps } from './route-deps.js';

const tags = ['transfers'];
const security = BEARER_SECURITY;

/** Transfers from one of the caller's accounts to any account, by number. */
// eslint-disable-next-line @typescript-eslint/require-await -- async on purpose: avvio fails register() on a rejection, while a synchronous throw escapes it
export const transfersRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { banking }) => {
  app.post(
    '',
    {
      schema: {
        tags,
        security,
        summary: 'Transfer money',
        description:
          "The source must be the caller's (else 404); the destination may be anyone's (unknown number → 404). " +
          'Same account, frozen or closed on either side, currency mismatch, insufficient funds → 400 with its code. ' +
          'Both balances and both ledger lines commit together or not at all. Idempotent with an Idempotency-Key.',
        headers: IdempotencyHeaders,
        body: TransferBody,
        response: { 201: TransferOut, ...problems(400, 401, 404, 409, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const { value, replayed } = await banking.transferMoney.execute({
        userId: userOf(request).id,
        fromAccountId: request.body.from_account_id,
        toAccountNumber: request.body.to_account_number,
        amount: request.body.amount,
        description: request.body.description,
        idempotencyKey: request.headers['idempotency-key'],
      });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(presentTransfer(value, true));
    },
  );

  app.get(
    '/:transfer_id',
    {
      schema: {
        tags,
        security,
        summary: 'One transfer',
        description: 'Visible to the owners of either side; new_balance only to the source\'s owner.',
        params: TransferParams,
        response: { 200: TransferOut, ...problems(401, 404, 422, 429) },
      },
    },
    async (request) => {
      const view = await banking.getTransfer.execute({ userId: userOf(request).id, transferId: request.params.transfer_id });
      return presentTransfer(view.transfer, view.callerOwnsSource);
    },
  );
};
