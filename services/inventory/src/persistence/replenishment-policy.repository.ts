import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ReplenishmentPolicy, StockPosition } from '../domain/replenishment-policy';
import { OPEN_STATES } from '../domain/purchase-order';
import { queryRows } from './sql';

interface PolicyRow {
  sku: string;
  reorder_point: number;
  order_up_to: number | null;
  reorder_quantity: number | null;
  min_order_quantity: number;
  pack_size: number;
  lead_time_days: number;
  supplier: string;
}

interface CandidateRow extends PolicyRow {
  on_hand: number;
  reserved: number;
  incoming: number;
}

export interface PolicyWithPosition {
  readonly policy: ReplenishmentPolicy;
  readonly position: StockPosition & { readonly onHand: number; readonly reserved: number };
}

const POLICY_COLUMNS = `p.sku, p.reorder_point, p.order_up_to, p.reorder_quantity, p.min_order_quantity,
  p.pack_size, p.lead_time_days, p.supplier`;

function toPolicy(row: PolicyRow): ReplenishmentPolicy {
  return {
    sku: row.sku,
    reorderPoint: row.reorder_point,
    ...(row.order_up_to !== null && { orderUpTo: row.order_up_to }),
    ...(row.reorder_quantity !== null && { reorderQuantity: row.reorder_quantity }),
    minOrderQuantity: row.min_order_quantity,
    packSize: row.pack_size,
    leadTimeDays: row.lead_time_days,
    supplier: row.supplier,
  };
}

function toCandidate(row: CandidateRow): PolicyWithPosition {
  return {
    policy: toPolicy(row),
    position: {
      onHand: row.on_hand,
      reserved: row.reserved,
      available: row.on_hand - row.reserved,
      incoming: row.incoming,
    },
  };
}

const OPEN = OPEN_STATES.map((state) => `'${state}'`).join(', ');

/** Replenishment policies and the stock positions they are judged on, by raw SQL on the caller's transaction. */
@Injectable()
export class ReplenishmentPolicyRepository {
  async upsert(manager: EntityManager, policy: ReplenishmentPolicy): Promise<void> {
    await manager.query(
      `INSERT INTO replenishment_policies AS p
         (sku, reorder_point, order_up_to, reorder_quantity, min_order_quantity, pack_size, lead_time_days, supplier)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (sku) DO UPDATE SET
         reorder_point = EXCLUDED.reorder_point, order_up_to = EXCLUDED.order_up_to,
         reorder_quantity = EXCLUDED.reorder_quantity, min_order_quantity = EXCLUDED.min_order_quantity,
         pack_size = EXCLUDED.pack_size, lead_time_days = EXCLUDED.lead_time_days,
         supplier = EXCLUDED.supplier, updated_at = now()`,
      [
        policy.sku,
        policy.reorderPoint,
        policy.orderUpTo ?? null,
        policy.reorderQuantity ?? null,
        policy.minOrderQuantity,
        policy.packSize,
        policy.leadTimeDays,
        policy.supplier,
      ],
    );
  }

  async find(manager: EntityManager, sku: string): Promise<ReplenishmentPolicy | undefined> {
    const rows = await queryRows<PolicyRow>(
      manager,
      `SELECT ${POLICY_COLUMNS} FROM replenishment_policies p WHERE p.sku = $1`,
      [sku],
    );
    return rows[0] && toPolicy(rows[0]);
  }

  /**
   * The policy and stock position of each of `skus` that has both and no open purchase order. The
   * caller holds the stock rows' locks, so the position cannot move before it decides.
   */
  async withoutOpenOrder(manager: EntityManager, skus: readonly string[]): Promise<PolicyWithPosition[]> {
    const rows = await queryRows<CandidateRow>(
      manager,
      `SELECT ${POLICY_COLUMNS}, s.on_hand, s.reserved, s.incoming
         FROM replenishment_policies p JOIN stock s ON s.sku = p.sku
        WHERE p.sku = ANY($1::text[])
          AND NOT EXISTS (SELECT 1 FROM purchase_orders o WHERE o.sku = p.sku AND o.state IN (${OPEN}))
        ORDER BY p.sku`,
      [skus],
    );
    return rows.map(toCandidate);
  }

  /** A stock position with its policy, for the operator's view. */
  async position(manager: EntityManager, sku: string): Promise<PolicyWithPosition | undefined> {
    const rows = await queryRows<CandidateRow>(
      manager,
      `SELECT ${POLICY_COLUMNS}, COALESCE(s.on_hand, 0) AS on_hand, COALESCE(s.reserved, 0) AS reserved,
              COALESCE(s.incoming, 0) AS incoming
         FROM replenishment_policies p LEFT JOIN stock s ON s.sku = p.sku
        WHERE p.sku = $1`,
      [sku],
    );
    return rows[0] && toCandidate(rows[0]);
  }

  /**
   * SKUs at or below their reorder point with no open purchase order: what a sweep (or a run for
   * every SKU) looks at. Read without locks; each is decided again under its stock lock.
   */
  async dueSkus(manager: EntityManager, limit: number): Promise<string[]> {
    const rows = await queryRows<{ sku: string }>(
      manager,
      `SELECT p.sku FROM replenishment_policies p JOIN stock s ON s.sku = p.sku
        WHERE s.on_hand - s.reserved + s.incoming <= p.reorder_point
          AND NOT EXISTS (SELECT 1 FROM purchase_orders o WHERE o.sku = p.sku AND o.state IN (${OPEN}))
        ORDER BY p.sku
        LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.sku);
  }
}
