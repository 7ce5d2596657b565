/** How a service keeps its Idempotency-Keys (from its configuration). */
export interface IdempotencyPolicy {
  /** How long a key answers with its first response (Stripe keeps them 24 h). */
  readonly ttlHours: number;
  /** An in-flight key untouched this long belongs to a crashed request; a retry may take it over. */
  readonly abandonAfterSeconds: number;
  /** How often expired keys are deleted. */
  readonly purgeIntervalSeconds: number;
}

export const IDEMPOTENCY_POLICY = Symbol('IDEMPOTENCY_POLICY');
