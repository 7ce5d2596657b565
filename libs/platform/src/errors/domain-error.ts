// No imports on purpose: domain/ code may import this file directly
// (`@waybill/platform/errors/domain-error`) without pulling Nest into pure rules.

/** What kind of failure it is; the HTTP edge maps each kind to one status. */
export type DomainErrorKind = 'not-found' | 'conflict' | 'rule-violation' | 'forbidden' | 'unavailable';

export interface DomainErrorOptions {
  /** Default `rule-violation` (422): the request was understood but breaks a business rule. */
  readonly kind?: DomainErrorKind;
  /** Safe to show the caller: ids and amounts, never secrets or personal data. */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/**
 * An expected business outcome with a stable code such as `ORDER.NOT_FOUND`. Use cases return it
 * as a result or throw it; either way the HTTP edge maps it once, e.g.
 *
 *   export class OrderNotFound extends DomainError {
 *     constructor(orderId: string) {
 *       super('ORDER.NOT_FOUND', `order ${orderId} does not exist`, { kind: 'not-found', details: { orderId } });
 *     }
 *   }
 */
export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(
    readonly code: string,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.kind = options.kind ?? 'rule-violation';
    if (options.details !== undefined) {
      this.details = options.details;
    }
  }
}
