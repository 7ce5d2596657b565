import { Inject, Injectable, Provider } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { HttpResponse } from '@waybill/platform';
import {
  IdempotencyKeyReused,
  IdempotencyRequestInProgress,
  judgeHeldKey,
  requestFingerprint,
} from './idempotency-key';
import { IdempotencyKeyPurge } from './idempotency-key-purge';
import { IdempotencyKeyStore, KeyClaim } from './idempotency-key.store';
import { IDEMPOTENCY_POLICY, IdempotencyPolicy } from './idempotency-policy';

export interface IdempotentRequest {
  /** The caller, e.g. `storefront/shop-eu`: keys are scoped to it. */
  readonly principal: string;
  /** The `Idempotency-Key` header (already checked with `checkIdempotencyKeyHeader`), if sent. */
  readonly key?: string;
  /** Everything that makes the request this request (body and path); its fingerprint binds the key. */
  readonly request: unknown;
}

export interface IdempotentAnswer<T> {
  readonly status: number;
  readonly body: T;
  /** True when this is the stored answer to an earlier request with the same key. */
  readonly replayed: boolean;
}

/**
 * Writes an answer's status, and `Idempotent-Replayed: true` when it is a replay, on the response
 * of a `@Res({ passthrough: true })` handler; returns the body to send.
 */
export function answerIdempotently<T>(response: HttpResponse, answer: IdempotentAnswer<T>): T {
  response.status(answer.status);
  if (answer.replayed) {
    response.setHeader('Idempotent-Replayed', 'true');
  }
  return answer.body;
}

/** How often a claim is retried when the key row vanishes between our claim and our read. */
const CLAIM_ATTEMPTS = 3;

/**
 * Stripe's Idempotency-Key semantics for a POST: the same key and request → the first answer
 * replayed (status and body); the same key with another request → 422; the key still in flight →
 * 409. The key is claimed in its own short statement (so concurrent requests see it in flight at
 * once); the owner runs `work` in a transaction and stores the answer on the key in that same
 * transaction, so "the effect happened" and "the key answers with it" commit together. Any failure
 * gives the key back for a retry.
 */
@Injectable()
export class IdempotentRequests {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: IdempotencyKeyStore,
    @Inject(IDEMPOTENCY_POLICY) private readonly policy: IdempotencyPolicy,
  ) {}

  async run<T>(
    request: IdempotentRequest,
    work: (manager: EntityManager) => Promise<{ readonly status: number; readonly body: T }>,
  ): Promise<IdempotentAnswer<T>> {
    if (request.key === undefined) {
      return { ...(await this.dataSource.transaction(work)), replayed: false };
    }

    const requestHash = requestFingerprint(request.request);
    for (let attempt = 1; ; attempt++) {
      const claim = await this.keys.claim(
        request.principal,
        request.key,
        requestHash,
        this.policy.ttlHours,
        this.policy.abandonAfterSeconds,
      );
      if (claim) {
        return { ...(await this.runAsOwner(claim, work)), replayed: false };
      }

      const held = await this.keys.find(request.principal, request.key);
      if (!held) {
        // Released or expired between the two statements: claim again.
        if (attempt < CLAIM_ATTEMPTS) {
          continue;
        }
        throw new IdempotencyRequestInProgress();
      }
      const verdict = judgeHeldKey(held, requestHash);
      if (verdict === 'key-reused') {
        throw new IdempotencyKeyReused();
      }
      if (verdict === 'in-progress' || held.responseStatus === undefined) {
        throw new IdempotencyRequestInProgress();
      }
      return { status: held.responseStatus, body: held.responseBody as T, replayed: true };
    }
  }

  private async runAsOwner<T>(
    claim: KeyClaim,
    work: (manager: EntityManager) => Promise<{ readonly status: number; readonly body: T }>,
  ): Promise<{ readonly status: number; readonly body: T }> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const answer = await work(manager);
        // Taken over after we were presumed crashed: the new owner answers, we roll back.
        if (!(await this.keys.complete(manager, claim, answer.status, answer.body))) {
          throw new IdempotencyRequestInProgress();
        }
        return answer;
      });
    } catch (error) {
      await this.keys.release(claim);
      throw error;
    }
  }
}

/** Idempotency-Keys for a service module's `providers`: the store, the request runner and the purge. */
export function idempotencyProviders(policy: IdempotencyPolicy): Provider[] {
  return [
    IdempotencyKeyStore,
    IdempotentRequests,
    IdempotencyKeyPurge,
    { provide: IDEMPOTENCY_POLICY, useValue: policy },
  ];
}
