import { randomUUID } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import { TokenRevoked, type Banking, type IssuedSession } from '@banking/domain';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { JwtAlgorithm } from '../config.js';
import { HttpError } from '../http/http-error.js';
import { LiveSessionMemo, type MonotonicClock } from './live-session-memo.js';

/** The claims of an access token. */
export interface AccessClaims {
  /** The user id. */
  readonly sub: string;
  /** The session (login) id: logout and refresh-token reuse revoke it. */
  readonly sid: string;
  readonly jti: string;
  readonly typ: 'access';
  readonly iat: number;
  readonly exp: number;
}

export interface AuthUser {
  readonly id: string;
  readonly sessionId: string;
}

export interface IssuedTokens {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly token_type: 'bearer';
  readonly expires_in: number;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: Omit<AccessClaims, 'iat' | 'exp'>;
    user: AuthUser;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** preParsing hook for protected routes: a valid, unrevoked access token, or 401. */
    authenticate: (request: FastifyRequest, reply: FastifyReply, payload: unknown) => Promise<unknown>;
    /** The verified access-token claims of the request's bearer token, or null (never throws). */
    accessClaims(request: FastifyRequest): AccessClaims | null;
    issueTokens(session: IssuedSession): IssuedTokens;
  }
}

export interface AuthPluginOptions {
  readonly banking: Banking;
  readonly secretKey: string;
  readonly algorithm: JwtAlgorithm;
  readonly accessTokenTtlSeconds: number;
  /** How long a session read as live is trusted before the next database read (0: every request). */
  readonly sessionRecheckMs: number;
  /** For tests: the clock of that trust. */
  readonly sessionRecheckClock?: MonotonicClock;
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;
const REQUIRED_CLAIMS = ['sub', 'sid', 'jti', 'typ', 'iat', 'exp'];
const CHALLENGE = 'Bearer realm="banking"';
/** How far in the future an `iat` may be (clocks of the instances that issue and verify differ a little). */
const ISSUED_AT_TOLERANCE_SECONDS = 60;

/** The verified claims of each request, computed once (the rate limiter needs them before auth). */
const verified = new WeakMap<FastifyRequest, AccessClaims | null>();

/** Access tokens: HS-signed JWTs, the algorithm pinned on verify, and the session checked against the denylist. */
async function authPlugin(app: FastifyInstance, options: AuthPluginOptions): Promise<void> {
  await app.register(fastifyJwt, {
    secret: options.secretKey,
    sign: { algorithm: options.algorithm, expiresIn: options.accessTokenTtlSeconds },
    verify: { algorithms: [options.algorithm], requiredClaims: REQUIRED_CLAIMS },
  });

  const claimsOf = (request: FastifyRequest): AccessClaims | null => {
    if (verified.has(request)) return verified.get(request) ?? null;
    let claims: AccessClaims | null = null;
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (match?.[1] !== undefined) {
      try {
        const payload = app.jwt.verify<Record<string, unknown>>(match[1]);
        if (isAccessClaims(payload)) claims = payload;
      } catch {
        claims = null;
      }
    }
    verified.set(request, claims);
    return claims;
  };

  app.decorate('accessClaims', claimsOf);

  const liveSessions = new LiveSessionMemo(options.sessionRecheckMs, options.sessionRecheckClock ? { clock: options.sessionRecheckClock } : {});

  app.decorate('authenticate', async function authenticate(request: FastifyRequest, _reply: FastifyReply, payload: unknown) {
    const claims = claimsOf(request);
    if (claims === null) {
      const presented = request.headers.authorization !== undefined;
      throw new HttpError(
        401,
        'unauthorized',
        presented ? 'The access token is invalid or expired.' : 'Authentication required: send an access token as "Authorization: Bearer <token>".',
        { 'www-authenticate': presented ? `${CHALLENGE}, error="invalid_token"` : CHALLENGE },
      );
    }
    try {
      // The denylist on every request (revocations through the API, immediate on every instance),
      // and at the same time the session's row (deleted or foreign sessions, changes behind the
      // API's back), read again once the memo's trust has lapsed.
      await Promise.all([
        options.banking.checkAccess.execute(claims.sid),
        liveSessions.check(claims.sid, claims.sub, () => options.banking.checkSession.execute({ sessionId: claims.sid, userId: claims.sub })),
      ]);
    } catch (error) {
      if (error instanceof TokenRevoked) {
        throw new HttpError(401, 'token_revoked', error.message, { 'www-authenticate': `${CHALLENGE}, error="invalid_token"` });
      }
      throw error;
    }
    request.user = { id: claims.sub, sessionId: claims.sid };
    return payload;
  });

  app.decorate('issueTokens', (session: IssuedSession): IssuedTokens => ({
    access_token: app.jwt.sign({ sub: session.userId, sid: session.sessionId, jti: randomUUID(), typ: 'access' }),
    refresh_token: session.refreshToken,
    token_type: 'bearer',
    expires_in: options.accessTokenTtlSeconds,
  }));
}

function isAccessClaims(payload: Record<string, unknown>): payload is AccessClaims & Record<string, unknown> {
  return (
    payload.typ === 'access' &&
    typeof payload.sub === 'string' &&
    typeof payload.sid === 'string' &&
    typeof payload.jti === 'string' &&
    typeof payload.iat === 'number' &&
    typeof payload.exp === 'number' &&
    // fast-jwt checks exp and nbf but not iat: a token "issued" in the future is not one of ours.
    payload.iat <= Date.now() / 1000 + ISSUED_AT_TOLERANCE_SECONDS
  );
}

/** The authenticated caller of a protected route. */
export function userOf(request: FastifyRequest): AuthUser {
  const user = request.user as AuthUser | null | undefined;
  if (!user) throw new HttpError(401, 'unauthorized', 'Authentication required.', { 'www-authenticate': CHALLENGE });
  return user;
}

export default fp(authPlugin, { name: 'banking-auth', fastify: '5.x' });
