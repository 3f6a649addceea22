import { Type } from 'typebox';
import { Timestamp, Uuid } from './common.schema.js';

// Length caps here only bound the work; the domain states the real rules (8-128 characters, …).
const Email = Type.String({ maxLength: 320, examples: ['test@example.com'] });
const Password = Type.String({ maxLength: 1024, description: '8 to 128 characters', examples: ['password123'] });

export const RegisterBody = Type.Object(
  {
    email: Email,
    password: Password,
    full_name: Type.String({ maxLength: 1024, description: '1 to 255 characters', examples: ['Test User'] }),
  },
  { additionalProperties: false, examples: [{ email: 'test@example.com', password: 'password123', full_name: 'Test User' }] },
);

export const UserOut = Type.Object(
  {
    id: Uuid,
    email: Type.String({ examples: ['test@example.com'] }),
    full_name: Type.String({ examples: ['Test User'] }),
    created_at: Timestamp,
  },
  { title: 'User', description: 'The user (never the password)' },
);

export const LoginBody = Type.Object(
  { email: Email, password: Password },
  { additionalProperties: false, examples: [{ email: 'test@example.com', password: 'password123' }] },
);

export const TokenPair = Type.Object(
  {
    access_token: Type.String({ description: 'JWT, to send as `Authorization: Bearer <token>`' }),
    refresh_token: Type.String({ description: 'Opaque; single use (rotated on every refresh)' }),
    token_type: Type.Literal('bearer'),
    expires_in: Type.Integer({ description: 'Seconds until the access token expires', examples: [1800] }),
  },
  { title: 'TokenPair', description: 'A new access token and refresh token' },
);

export const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);

export const LogoutBody = Type.Object(
  { refresh_token: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })) },
  { additionalProperties: false },
);

/** RFC 6749 §4.3 (password) and §6 (refresh_token) token request, form-encoded. */
export const TokenForm = Type.Object(
  {
    grant_type: Type.String({ maxLength: 64, enum: ['password', 'refresh_token'] }),
    username: Type.Optional(Type.String({ maxLength: 320, description: 'The email (password grant)' })),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    refresh_token: Type.Optional(Type.String({ maxLength: 512, description: 'refresh_token grant' })),
    scope: Type.Optional(Type.String({ maxLength: 1024 })),
    client_id: Type.Optional(Type.String({ maxLength: 256 })),
    client_secret: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: true },
);

/** RFC 6749 §5.1. */
export const TokenResponse = Type.Object(
  {
    access_token: Type.String(),
    refresh_token: Type.String(),
    token_type: Type.Literal('bearer'),
    expires_in: Type.Integer({ examples: [1800] }),
  },
  { title: 'OAuth2TokenResponse', description: 'RFC 6749 §5.1 token response' },
);

/** RFC 6749 §5.2. */
export const OAuthError = Type.Object(
  {
    error: Type.String({ enum: ['invalid_request', 'invalid_grant', 'unsupported_grant_type'] }),
    error_description: Type.String(),
  },
  { title: 'OAuth2Error', description: 'RFC 6749 §5.2 error (status 400)' },
);
