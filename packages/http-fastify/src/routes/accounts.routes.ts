import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { userOf } from '../plugins/auth.plugin.js';
import { presentAccount, presentAccountPage, presentBalance } from '../presenters/account.presenter.js';
import {
  AccountOut,
  AccountPage,
  AccountParams,
  BalanceOut,
  ListAccountsQuery,
  OpenAccountBody,
} from '../schemas/accounts.schema.js';
import { BEARER_SECURITY, problems } from '../schemas/common.schema.js';
import type { RouteDeps } from './route-deps.js';

const tags = ['accounts'];
const security = BEARER_SECURITY;

/** The caller's accounts. Another user's account answers 404, exactly like one that does not exist. */
// eslint-disable-next-line @typescript-eslint/require-await -- async on purpose: avvio fails register() on a rejection, while a synchronous throw escapes it
export const accountsRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { banking }) => {
  app.post(
    '',
    {
      schema: {
        tags,
        security,
        summary: 'Open an account',
        description: 'At most 5 accounts that are not closed per user (400 account_limit_reached).',
        body: OpenAccountBody,
        response: { 201: AccountOut, ...problems(400, 401, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const account = await banking.openAccount.execute({
        userId: userOf(request).id,
        type: request.body.account_type,
        currency: request.body.currency,
      });
      return reply.status(201).send(presentAccount(account));
    },
  );

  app.get(
    '',
    {
      schema: {
        tags,
        security,
        summary: "List the caller's accounts",
        description: 'Oldest first (ties by id).',
        querystring: ListAccountsQuery,
        response: { 200: AccountPage, ...problems(401, 422, 429) },
      },
    },
    async (request) => {
      const { page, page_size, status, account_type } = request.query;
      const result = await banking.listAccounts.execute({ userId: userOf(request).id, page, pageSize: page_size, status, type: account_type });
      return presentAccountPage(result);
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags,
        security,
        summary: 'One account',
        params: AccountParams,
        response: { 200: AccountOut, ...problems(401, 404, 422, 429) },
      },
    },
    async (request) => presentAccount(await banking.getAccount.execute({ userId: userOf(request).id, accountId: request.params.id })),
  );

  app.get(
    '/:id/balance',
    {
      schema: {
        tags,
        security,
        summary: "An account's balance",
        description: 'Always the committed balance: a client that got a 2xx for a movement reads it here at once.',
        params: AccountParams,
        response: { 200: BalanceOut, ...problems(401, 404, 422, 429) },
      },
    },
    async (request) => presentBalance(await banking.getBalance.execute({ userId: userOf(request).id, accountId: request.params.id })),
  );

  app.post(
    '/:id/freeze',
    {
      schema: {
        tags,
        security,
        summary: 'Freeze an account',
        description: 'No money moves in or out of a frozen account. Already frozen → 400 account_frozen; closed → 400 account_closed.',
        params: AccountParams,
        response: { 200: AccountOut, ...problems(400, 401, 404, 422, 429) },
      },
    },
    async (request) => presentAccount(await banking.freezeAccount.execute({ userId: userOf(request).id, accountId: request.params.id })),
  );

  app.post(
    '/:id/unfreeze',
    {
      schema: {
        tags,
        security,
        summary: 'Unfreeze an account',
        description: 'Not frozen → 400 account_not_frozen; closed → 400 account_closed.',
        params: AccountParams,
        response: { 200: AccountOut, ...problems(400, 401, 404, 422, 429) },
      },
    },
    async (request) => presentAccount(await banking.unfreezeAccount.execute({ userId: userOf(request).id, accountId: request.params.id })),
  );

  app.delete(
    '/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Close an account',
        description: 'The account becomes CLOSED and keeps its history. Non-zero balance → 400 balance_not_zero.',
        params: AccountParams,
        response: { 204: { type: 'null', description: 'Closed' }, ...problems(400, 401, 404, 422, 429) },
      },
    },
    async (request, reply) => {
      await banking.closeAccount.execute({ userId: userOf(request).id, accountId: request.params.id });
      return reply.status(204).send(null);
    },
  );
};
