import { CURRENCY_CODES, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '@banking/domain';
import { Type, type TSchema } from 'typebox';
import type { ExactDecimal } from '../http/exact-decimal.js';

export const Uuid = Type.String({ format: 'uuid', examples: ['3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d'] });

export const Timestamp = Type.String({
  format: 'date-time',
  description: 'ISO 8601 instant, UTC',
  examples: ['2026-01-15T09:30:00.000Z'],
});

export const Currency = Type.String({
  description: 'ISO 4217 currency code',
  enum: [...CURRENCY_CODES],
  examples: ['HTG'],
});

/** Request amounts: a JSON number or a decimal string, parsed exactly by the domain per currency. */
export const AmountIn = Type.Union([Type.Number(), Type.String({ maxLength: 40 })], {
  description:
    'Greater than 0, at most as many decimals as the currency allows (2 for HTG/USD/EUR, 0 for JPY), ' +
    'as a JSON number (1000.5, judged on its exact text) or a decimal string ("1000.50").',
  examples: [1000.5, '19.99'],
});

/**
 * Response amounts and balances: JSON numbers whose text is the exact decimal. Presenters give an
 * ExactDecimal, which the response serializer writes digit for digit (a plain number would go
 * through a double, hence the type).
 */
export const MoneyOut = Type.Unsafe<ExactDecimal>({
  type: 'number',
  description: 'Exact decimal amount in the currency: the number text carries every digit',
  examples: [1000.5],
});

/**
 * MoneyOut or null, as OpenAPI 3.0 writes it (`nullable`). Not `anyOf: [MoneyOut, null]`: the
 * serializer picks an anyOf branch by validating the value, and an ExactDecimal is no JS number.
 */
export function NullableMoneyOut(description: string) {
  return Type.Unsafe<ExactDecimal | null>({ type: 'number', nullable: true, description, examples: [1000.5] });
}

export const FieldErrorSchema = Type.Object({
  field: Type.String({ example: 'amount' }),
  message: Type.String({ example: 'must be greater than 0' }),
});

/** RFC 9457 problem details. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI identifying the problem type', example: 'urn:banking:problem:insufficient_funds' }),
    title: Type.String({ example: 'Insufficient funds' }),
    status: Type.Integer({ example: 400 }),
    detail: Type.String({ example: 'Insufficient funds: the available balance is 250.5 HTG.' }),
    code: Type.String({ description: 'Stable machine-readable code', example: 'insufficient_funds' }),
    errors: Type.Optional(Type.Array(FieldErrorSchema, { description: 'Present on validation_failed (422)' })),
  },
  { title: 'Problem' },
);

const STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'A business rule refused the request, or the body is malformed JSON',
  401: 'Missing, invalid, expired or revoked token (code unauthorized / token_revoked), or bad credentials',
  404: 'Not found, or not yours',
  409: 'Conflict',
  413: 'Body too large',
  415: 'Unsupported content type',
  422: 'The request failed validation (code validation_failed, with errors[])',
  429: 'Rate limited (Retry-After)',
  500: 'Unexpected error (a bug; the detail carries the request id)',
  503: 'Not ready',
};

/** Response entries documenting problem+json answers for these statuses. */
export function problems(...statuses: number[]): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  for (const status of statuses) {
    out[status] = {
      description: STATUS_DESCRIPTIONS[status] ?? 'Error',
      content: { 'application/problem+json': { schema: Problem } },
    };
  }
  return out;
}

/**
 * An optional query filter: the schema without its examples. Swagger UI's "Try it out" pre-fills a
 * parameter from its example, and a filter sent that way silently narrows the answer.
 */
export function QueryFilter<T extends TSchema>(schema: T) {
  const copy: T & { examples?: unknown; example?: unknown } = { ...schema };
  delete copy.examples;
  delete copy.example;
  return Type.Optional(copy);
}

export const PageQueryProperties = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, default: 1, description: 'Page number, from 1' })),
  page_size: Type.Optional(
    Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: `Items per page, 1 to ${MAX_PAGE_SIZE}` }),
  ),
};

export function pageOf<T extends TSchema>(item: T, title: string) {
  return Type.Object(
    {
      items: Type.Array(item),
      total: Type.Integer({ examples: [1] }),
      page: Type.Integer({ examples: [1] }),
      page_size: Type.Integer({ examples: [20] }),
      total_pages: Type.Integer({ examples: [1] }),
    },
    { title, description: `A page of ${title.replace(/Page$/, '').toLowerCase()}s` },
  );
}

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7e]+$',
      description:
        'Optional, 1-255 visible ASCII characters, scoped to the caller and kept 24 h. A retry with the same key and ' +
        'body returns the first response with Idempotent-Replayed: true; a different body gets 422 idempotency_key_reused; ' +
        'a retry while the first is running gets 409 idempotency_in_progress.',
      examples: ['5b0d6a3e-2f7c-4b1a-9e8d-7c6b5a4f3e2d'],
    }),
  ),
});

export const BEARER_SECURITY = [{ OAuth2PasswordBearer: [] }, { bearerAuth: [] }];
