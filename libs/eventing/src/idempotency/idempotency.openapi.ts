import { type ApiErrorDoc, type ApiHeaderDoc, ResponseSchema as S } from '@waybill/platform';
import { MAX_IDEMPOTENCY_KEY_LENGTH, PRINTABLE_ASCII } from './idempotency-key';

/** What the OpenAPI document says of an `Idempotency-Key` on a POST that runs through `IdempotentRequests`. */
export function idempotencyKeyHeader(example: string): ApiHeaderDoc {
  return {
    name: 'Idempotency-Key',
    description:
      "1–255 printable ASCII characters, Stripe's semantics: the same key and request replay the first " +
      'answer, status and body (`Idempotent-Replayed: true`), a different request is a 422, one still ' +
      'in flight a 409. Kept 24 h by default.',
    example,
    schema: S.string({
      minLength: 1,
      maxLength: MAX_IDEMPOTENCY_KEY_LENGTH,
      pattern: PRINTABLE_ASCII.source,
    }),
  };
}

export const IDEMPOTENT_REPLAYED_HEADER = {
  'Idempotent-Replayed': '`true` when this is the replayed answer of an earlier request with the same key.',
};

export const IDEMPOTENCY_ERRORS: readonly ApiErrorDoc[] = [
  {
    status: 400,
    code: 'IDEMPOTENCY.INVALID_KEY',
    description: 'The Idempotency-Key is not 1–255 printable ASCII.',
  },
  {
    status: 409,
    code: 'IDEMPOTENCY.REQUEST_IN_PROGRESS',
    description: 'A request with this Idempotency-Key is still being processed.',
  },
  {
    status: 422,
    code: 'IDEMPOTENCY.KEY_REUSED',
    description: 'The Idempotency-Key was used with a different request.',
  },
];
