import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { PaymentFailureReason, PaymentVoidReason } from '@waybill/contracts';
import { Payment, PaymentCaptureMode, PaymentRecord } from '../domain/payment';
import type { NextAction } from '../domain/payment-outcomes';
import { isPaymentStatus } from '../domain/payment-status';

type Row = Record<string, unknown>;

/** Column ↔ record field, for everything the service may change after the row exists. */
const MUTABLE_COLUMNS = [
  ['status', 'status'],
  ['provider', 'provider'],
  ['payment_method_ref', 'paymentMethodRef'],
  ['amount', 'amount'],
  ['currency', 'currency'],
  ['order_placed_seen_at', 'orderPlacedSeenAt'],
  ['reservation_id', 'reservationId'],
  ['stock_reserved_seen_at', 'stockReservedSeenAt'],
  ['cancel_requested_at', 'cancelRequestedAt'],
  ['provider_payment_ref', 'providerPaymentRef'],
  ['capture_mode', 'captureMode'],
  ['next_action', 'nextAction'],
  ['action_expires_at', 'actionExpiresAt'],
  ['action_queried_at', 'actionQueriedAt'],
  ['authorized_at', 'authorizedAt'],
  ['authorization_expires_at', 'authorizationExpiresAt'],
  ['captured_at', 'capturedAt'],
  ['capture_ref', 'captureRef'],
  ['captured_amount', 'capturedAmount'],
  ['refunded_amount', 'refundedAmount'],
  ['refund_count', 'refundCount'],
  ['voided_at', 'voidedAt'],
  ['void_reason', 'voidReason'],
  ['failed_at', 'failedAt'],
  ['failure_reason', 'failureReason'],
  ['decline_code', 'declineCode'],
  ['failure_message', 'failureMessage'],
] as const satisfies readonly (readonly [string, keyof PaymentRecord])[];

export interface RefundRow {
  readonly id: string;
  readonly sequence: number;
  readonly amount: number;
  readonly reason?: string;
  readonly providerRefundRef?: string;
  readonly refundedAt: Date;
}

/** Payments in SQL. Every read that precedes a change locks the row (one order, one writer). */
@Injectable()
export class PaymentRepository {
  /**
   * The order's payment, created on first sight and locked for this transaction, in one statement.
   * Two first events racing on different topics meet at the UNIQUE order_id: the loser waits for
   * the winner's commit, and its no-op DO UPDATE then locks and returns the winner's row.
   */
  async lockOrCreate(manager: EntityManager, orderId: string): Promise<Payment> {
    const rows = await manager.query<Row[]>(
      `INSERT INTO payments (id, order_id, status) VALUES ($1, $2, 'PENDING')
       ON CONFLICT (order_id) DO UPDATE SET order_id = excluded.order_id
       RETURNING *`,
      [randomUUID(), orderId],
    );
    if (!rows[0]) {
      throw new Error(`payment of order ${orderId} neither inserted nor found`);
    }
    return new Payment(toRecord(rows[0]));
  }

  async lock(manager: EntityManager, orderId: string): Promise<Payment | undefined> {
    const rows = await manager.query<Row[]>(`SELECT * FROM payments WHERE order_id = $1 FOR UPDATE`, [
      orderId,
    ]);
    return rows[0] ? new Payment(toRecord(rows[0])) : undefined;
  }

  async lockByProviderRef(
    manager: EntityManager,
    provider: string,
    ref: string,
  ): Promise<Payment | undefined> {
    const rows = await manager.query<Row[]>(
      `SELECT * FROM payments WHERE provider = $1 AND provider_payment_ref = $2 FOR UPDATE`,
      [provider, ref],
    );
    return rows[0] ? new Payment(toRecord(rows[0])) : undefined;
  }

  /**
   * Payments waiting on the buyer that are due a look: past their deadline, or not asked about
   * for `queryEvery` (a notify may be lost). Locked, skipping rows another sweeper holds.
   */
  async lockAwaitingBuyer(
    manager: EntityManager,
    now: Date,
    queryEverySeconds: number,
    limit: number,
  ): Promise<Payment[]> {
    const rows = await manager.query<Row[]>(
      `SELECT * FROM payments
        WHERE status = 'REQUIRES_ACTION' AND action_expires_at IS NOT NULL
          AND (action_expires_at <= $1
               OR coalesce(action_queried_at, updated_at) <= $1::timestamptz - make_interval(secs => $2))
        ORDER BY action_expires_at
        LIMIT $3
        FOR UPDATE SKIP LOCKED`,
      [now, queryEverySeconds, limit],
    );
    return rows.map((row) => new Payment(toRecord(row)));
  }

  async find(manager: EntityManager, orderId: string): Promise<Payment | undefined> {
    const rows = await manager.query<Row[]>(`SELECT * FROM payments WHERE order_id = $1`, [orderId]);
    return rows[0] ? new Payment(toRecord(rows[0])) : undefined;
  }

  async save(manager: EntityManager, payment: Payment): Promise<void> {
    const record = payment.state;
    const sets = MUTABLE_COLUMNS.map(([column], index) => `${column} = $${index + 2}`);
    const values = MUTABLE_COLUMNS.map(([, field]) => toColumn(record[field]));
    await manager.query(`UPDATE payments SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, [
      record.id,
      ...values,
    ]);
  }

  async addRefund(
    manager: EntityManager,
    paymentId: string,
    refund: Omit<RefundRow, 'id'> & { readonly id?: string },
  ): Promise<RefundRow> {
    const id = refund.id ?? randomUUID();
    await manager.query(
      `INSERT INTO payment_refunds (id, payment_id, sequence, amount, reason, provider_refund_ref, refunded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        id,
        paymentId,
        refund.sequence,
        refund.amount,
        refund.reason ?? null,
        refund.providerRefundRef ?? null,
        refund.refundedAt,
      ],
    );
    return { ...refund, id };
  }

  async refunds(manager: EntityManager, paymentId: string): Promise<RefundRow[]> {
    const rows = await manager.query<Row[]>(
      `SELECT * FROM payment_refunds WHERE payment_id = $1 ORDER BY sequence`,
      [paymentId],
    );
    return rows.map((row) => ({
      id: row.id as string,
      sequence: row.sequence as number,
      amount: Number(row.amount),
      reason: (row.reason as string | null) ?? undefined,
      providerRefundRef: (row.provider_refund_ref as string | null) ?? undefined,
      refundedAt: row.refunded_at as Date,
    }));
  }
}

function toColumn(value: unknown): unknown {
  if (value === undefined) {
    return null;
  }
  // jsonb (next_action): pg would send a plain object as its string form otherwise.
  return typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : value;
}

function optional<T>(value: unknown, map: (value: unknown) => T = (v) => v as T): T | undefined {
  return value === null || value === undefined ? undefined : map(value);
}

function toRecord(row: Row): PaymentRecord {
  const status = row.status as string;
  if (!isPaymentStatus(status)) {
    throw new Error(`unknown payment status ${status}`);
  }
  const date = (value: unknown) => value as Date;
  return {
    id: row.id as string,
    orderId: row.order_id as string,
    status,
    provider: optional(row.provider),
    paymentMethodRef: optional(row.payment_method_ref),
    amount: optional(row.amount, Number),
    currency: optional(row.currency),
    orderPlacedSeenAt: optional(row.order_placed_seen_at, date),
    reservationId: optional(row.reservation_id),
    stockReservedSeenAt: optional(row.stock_reserved_seen_at, date),
    cancelRequestedAt: optional(row.cancel_requested_at, date),
    providerPaymentRef: optional(row.provider_payment_ref),
    captureMode: optional<PaymentCaptureMode>(row.capture_mode),
    nextAction: optional<NextAction>(row.next_action),
    actionExpiresAt: optional(row.action_expires_at, date),
    actionQueriedAt: optional(row.action_queried_at, date),
    authorizedAt: optional(row.authorized_at, date),
    authorizationExpiresAt: optional(row.authorization_expires_at, date),
    capturedAt: optional(row.captured_at, date),
    captureRef: optional(row.capture_ref),
    capturedAmount: Number(row.captured_amount),
    refundedAmount: Number(row.refunded_amount),
    refundCount: Number(row.refund_count),
    voidedAt: optional(row.voided_at, date),
    voidReason: optional<PaymentVoidReason>(row.void_reason),
    failedAt: optional(row.failed_at, date),
    failureReason: optional<PaymentFailureReason>(row.failure_reason),
    declineCode: optional(row.decline_code),
    failureMessage: optional(row.failure_message),
  };
}
