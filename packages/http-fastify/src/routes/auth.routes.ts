import fastifyFormbody from '@fastify/formbody';
import { DomainError } from '@banking/domain';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { requireUtf8 } from '../http/request-bodies.js';
import { userOf } from '../plugins/auth.plugin.js';
import { presentUser } from '../presenters/user.presenter.js';
import {
  LoginBody,
  LogoutBody,
  OAuthError,
  RefreshBody,
  RegisterBody,
  TokenForm,
  TokenPair,
  TokenResponse,
  UserOut,
} from '../schemas/auth.schema.js';
import { BEARER_SECURITY, problems } from '../schemas/common.schema.js';
import type { RouteDeps } from './route-deps.js';

const tags = ['auth'];

/** Token responses must not be cached by anyone (RFC 6749 §5.1). */
function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

/** register, login, token (OAuth2 form), refresh, logout, me. */
export const authRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { banking }) => {
  const authLimit = { rateLimit: app.authRateLimit };

  app.post(
    '/register',
    {
      config: authLimit,
      schema: {
        tags,
        summary: 'Create a user',
        description: 'Emails are trimmed and compared case-insensitively. Passwords: 8 to 128 characters.',
        body: RegisterBody,
        response: { 201: UserOut, ...problems(409, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const { email, password, full_name } = request.body;
      const user = await banking.registerUser.execute({ email, password, fullName: full_name });
      return reply.status(201).send(presentUser(user));
    },
  );

  app.post(
    '/login',
    {
      config: authLimit,
      preHandler: async (request, reply) => app.limitLoginAttempts(request, reply, request.body.email),
      schema: {
        tags,
        summary: 'Log in (JSON)',
        description: 'A wrong email and a wrong password get the same 401 invalid_credentials.',
        body: LoginBody,
        response: { 200: TokenPair, ...problems(401, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const session = await banking.login.execute({ email: request.body.email, password: request.body.password });
      return noStore(reply).send(app.issueTokens(session));
    },
  );

  // RFC 6749 token endpoint: form-encoded only, errors as §5.2 JSON.
  await app.register(async (form) => {
    form.removeAllContentTypeParsers();
    await form.register(fastifyFormbody);
    form.addHook('preParsing', async (request, _reply, payload) => {
      requireUtf8(request);
      return payload;
    });
    form.post(
      '/token',
      {
        config: authLimit,
        attachValidation: true,
        schema: {
          tags,
          summary: 'OAuth2 token endpoint (password and refresh_token grants)',
          description:
            'RFC 6749 §4.3 `grant_type=password&username=EMAIL&password=…` or §6 `grant_type=refresh_token&refresh_token=…`, ' +
            'form-encoded. Errors follow §5.2 (status 400). Swagger UI\'s *Authorize* uses this endpoint.',
          consumes: ['application/x-www-form-urlencoded'],
          body: TokenForm,
          response: { 200: TokenResponse, 400: OAuthError, ...problems(413, 415, 429) },
        },
      },
      async (request, reply) => {
        const refuse = (error: string, description: string) =>
          noStore(reply).status(400).send({ error, error_description: description });
        const body = (request.body ?? {}) as Partial<Record<string, unknown>>;
        const grant = body.grant_type;
        if (typeof grant === 'string' && grant !== 'password' && grant !== 'refresh_token' && grant.length <= 64) {
          return refuse('unsupported_grant_type', 'grant_type must be password or refresh_token.');
        }
        if (request.validationError) {
          return refuse('invalid_request', 'The token request is missing a parameter or has an invalid one.');
        }
        // A FastifyReply is a thenable that settles once the response is written: a handler returns it
        // to say it answered, and awaiting it here would hold the handler until the bytes are out.
        /* eslint-disable @typescript-eslint/return-await */
        try {
          if (grant === 'password') {
            const { username, password } = body;
            if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '') {
              return refuse('invalid_request', 'The password grant needs username and password.');
            }
            await app.limitLoginAttempts(request, reply, username);
            const session = await banking.login.execute({ email: username, password });
            return noStore(reply).send(app.issueTokens(session));
          }
          const refreshToken = body.refresh_token;
          if (typeof refreshToken !== 'string' || refreshToken === '') {
            return refuse('invalid_request', 'The refresh_token grant needs refresh_token.');
          }
          const session = await banking.refreshSession.execute(refreshToken);
          return noStore(reply).send(app.issueTokens(session));
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          switch (error.code) {
            case 'invalid_credentials':
            case 'invalid_token':
            case 'token_revoked':
              return refuse('invalid_grant', error.message);
            case 'validation_failed':
              return refuse('invalid_request', error.message);
            default:
              throw error;
          }
        }
        /* eslint-enable @typescript-eslint/return-await */
      },
    );
  });

  app.post(
    '/refresh',
    {
      config: authLimit,
      schema: {
        tags,
        summary: 'Exchange a refresh token for a new pair (rotation)',
        description:
          'The presented refresh token stops working. Presenting an already-rotated token → 401 token_revoked, ' +
          'and every token of that login is revoked (reuse detection).',
        body: RefreshBody,
        response: { 200: TokenPair, ...problems(401, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const session = await banking.refreshSession.execute(request.body.refresh_token);
      return noStore(reply).send(app.issueTokens(session));
    },
  );

  app.post(
    '/logout',
    {
      preParsing: app.authenticate,
      schema: {
        tags,
        summary: 'End this login',
        description:
          "Revokes this login's refresh tokens (and those of the optional refresh_token's login, if it is yours); " +
          'the access token is refused from then on.',
        security: BEARER_SECURITY,
        body: LogoutBody,
        response: { 204: { type: 'null', description: 'Logged out' }, ...problems(401, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      await banking.logout.execute({ userId: user.id, sessionId: user.sessionId, refreshToken: request.body.refresh_token });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/me',
    {
      preParsing: app.authenticate,
      schema: { tags, summary: 'The current user', security: BEARER_SECURITY, response: { 200: UserOut, ...problems(401, 429) } },
    },
    async (request) => presentUser(await banking.getProfile.execute(userOf(request).id)),
  );
};
