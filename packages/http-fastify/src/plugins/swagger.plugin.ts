import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import fastifyHelmet from '@fastify/helmet';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface SwaggerPluginOptions {
  readonly prefix: string;
  readonly version: string;
}

type Directives = Record<string, string[]>;

/**
 * The one inline stylesheet Swagger UI writes: the colours of the Swagger logo in its top bar
 * (`.logo_small_svg__cls-2{fill:#fff}…`), allowed by its hash rather than every inline style. A
 * Swagger UI upgrade that changes it shows up as a CSP violation in proof/swagger-browser.proof.ts.
 */
const SWAGGER_LOGO_STYLE = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

/**
 * The documentation pages are where people type their password (Swagger UI's *Authorize*): they
 * load scripts from this server only, can be framed by no page (clickjacking), and leak no URL to
 * other sites. No inline script is needed: Swagger UI's initialiser and ReDoc's bundle are files
 * served here (no CDN: many deployments have no internet).
 */
export const DOCS_CSP: Directives = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", SWAGGER_LOGO_STYLE],
};

/**
 * ReDoc styles itself with styled-components (style elements written at run time, hence inline
 * styles) and runs its search index in a Worker made from a blob: URL. Scripts stay 'self' only.
 * Its sidebar credit loads an image from cdn.redoc.ly: img-src keeps it blocked (the image hides
 * itself), so the page makes no request to another host.
 */
export const REDOC_CSP: Directives = {
  ...DOCS_CSP,
  'style-src': ["'self'", "'unsafe-inline'"],
  'worker-src': ["'self'", 'blob:'],
};

const securityHeaders = (directives: Directives) => ({
  contentSecurityPolicy: { useDefaults: false, directives },
  referrerPolicy: { policy: 'no-referrer' as const },
  frameguard: { action: 'deny' as const },
  // HSTS is the TLS terminator's call for the whole host, not one page's.
  strictTransportSecurity: false,
});

/**
 * ReDoc's standalone bundle, kept in this package (assets/redoc, copied from the `redoc` dev
 * dependency by `pnpm --filter @banking/http-fastify vendor:redoc`): the npm package would bring
 * ~90 packages (React, MobX, styled-components…) into production to serve this one file.
 * Kept gzipped: a third party's minified code is not ours to read or scan, and it is 1/3 the size.
 */
export const REDOC_BUNDLE = fileURLToPath(new URL('../../assets/redoc/redoc.standalone.js.gz', import.meta.url));

function redocPage(title: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" type="image/png" href="/docs/static/favicon-32x32.png" sizes="32x32">
</head>
<body>
<redoc spec-url="/openapi.json"></redoc>
<script src="/redoc/redoc.standalone.js"></script>
</body>
</html>
`;
}

/** Swagger UI at /docs and ReDoc at /redoc, in their own context so that only they get these headers. */
async function documentationPages(docs: FastifyInstance, options: { readonly version: string }): Promise<void> {
  await docs.register(fastifyHelmet, { global: true, ...securityHeaders(DOCS_CSP) });
  await docs.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiConfig: { persistAuthorization: false, displayRequestDuration: true, docExpansion: 'list' },
  });

  const redoc = { schema: { hide: true }, helmet: securityHeaders(REDOC_CSP) };
  const page = redocPage(`Banking API ${options.version} — ReDoc`);
  docs.get('/redoc', redoc, async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  let bundle: Promise<Buffer> | undefined;
  docs.get('/redoc/redoc.standalone.js', redoc, async (_request, reply) => {
    bundle ??= readFile(REDOC_BUNDLE).then((gzipped) => gunzipSync(gzipped));
    return reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(await bundle);
  });
}

/** The OpenAPI document (from the routes' TypeBox schemas), Swagger UI at /docs and ReDoc at /redoc. */
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
  // Not `options`: its `prefix` would be taken by Fastify as the route prefix of the pages.
  await app.register(documentationPages, { version: options.version });
}

export default fp(swaggerPlugin, { name: 'banking-swagger', fastify: '5.x' });
