import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface SwaggerPluginOptions {
  readonly prefix: string;
  readonly version: string;
}

/** The OpenAPI document (from the routes' TypeBox schemas) and Swagger UI at /docs. */
async function swaggerPlugin(app: FastifyInstance, options: SwaggerPluginOptions): Promise<void> {
  const tokenUrl = `${options.prefix}/auth/token`;
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Banking API',
        version: options.version,
        description:
          'Accounts, deposits, withdrawals and transfers with exact money. Errors are application/problem+json ' +
          '(RFC 9457) with a stable `code`. Click *Authorize* and log in with your email as username (OAuth2 password flow).',
      },
      tags: [
        { name: 'auth', description: 'Registration, login, tokens' },
        { name: 'accounts', description: "The caller's accounts" },
        { name: 'transactions', description: 'Deposits, withdrawals and ledger' },
        { name: 'transfers', description: 'Transfers between accounts' },
        { name: 'operations', description: 'Health, readiness, metrics' },
      ],
      components: {
        securitySchemes: {
          OAuth2PasswordBearer: {
            type: 'oauth2',
            description: 'Password grant at the token URL; username is the email.',
            flows: { password: { tokenUrl, refreshUrl: tokenUrl, scopes: {} } },
          },
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
    },
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiConfig: { persistAuthorization: false, displayRequestDuration: true, docExpansion: 'list' },
  });
}

export default fp(swaggerPlugin, { name: 'banking-swagger', fastify: '5.x' });
