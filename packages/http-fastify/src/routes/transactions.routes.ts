import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { userOf } from '../plugins/auth.plugin.js';
import { presentTransaction, presentTransactionPage } from '../presenters/transaction.presenter.js';
import { AccountParams } from '../schemas/accounts.schema.js';
import { BEARER_SECURITY, IdempotencyHeaders, problems } from '../schemas/common.schema.js';
import { ListTransactionsQuery, PostTransactionBody, TransactionOut, TransactionPage } from '../schemas/transactions.schema.js';
import type { RouteDeps } from './route-deps.js';

const tags = ['transactions'];
const security = BEARER_SECURITY;

/** Deposits and withdrawals on one of the caller's accounts, and its ledger. */
// eslint-disable-next-line @typescript-eslint/require-await -- async on purpose: avvio fails register() on a rejection, while a synchronous throw escapes it
export const transactionsRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { banking }) => {
  app.post(
    '/:id/transactions',
    {
      schema: {
        tags,
        security,
        summary: 'Deposit (DEPOT) or withdraw (RETRAIT)',
        description:
          'A withdrawal larger than the balance → 400 insufficient_funds (the detail states the available balance); ' +
          'frozen or closed account → 400 account_frozen / account_closed. Idempotent with an Idempotency-Key.',
        params: AccountParams,
        headers: IdempotencyHeaders,
        body: PostTransactionBody,
        response: { 201: TransactionOut, ...problems(400, 401, 404, 409, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const { value, replayed } = await banking.postTransaction.execute({
        userId: userOf(request).id,
        accountId: request.params.id,
        type: request.body.type,
        amount: request.body.amount,
        description: request.body.description,
        idempotencyKey: request.headers['idempotency-key'],
      });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(presentTransaction(value));
    },
  );

  app.get(
    '/:id/transactions',
    {
      schema: {
        tags,
        security,
        summary: "An account's transactions, newest first",
        params: AccountParams,
        querystring: ListTransactionsQuery,
        response: { 200: TransactionPage, ...problems(401, 404, 422, 429) },
      },
    },
    async (request) => {
      const { page, page_size, type, from_date, to_date } = request.query;
      const result = await banking.listTransactions.execute({
        userId: userOf(request).id,
        accountId: request.params.id,
        type,
        from: from_date,
        to: to_date,
        page,
        pageSize: page_size,
      });
      return presentTransactionPage(result);
    },
  );
};
