import { IsIn, IsString, IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { Describe, IsQuantity, IsSku, IsStockCount, IsText, IsTimestamp } from '../common/field-rules';

export const REPLENISHMENT_TRIGGERS = ['reorder_point', 'scheduled_sweep', 'manual', 'external'] as const;
export type ReplenishmentTrigger = (typeof REPLENISHMENT_TRIGGERS)[number];

@EventContract({
  type: 'waybill.inventory.replenishment-requested.v1',
  topic: TOPICS.inventory,
  description: 'Inventory decided to reorder a SKU in this replenishment cycle. Key: sku.',
})
export class ReplenishmentRequestedV1 {
  @IsUUID()
  replenishmentId!: string;

  @IsSku()
  sku!: string;

  @Describe('Units to order.')
  @IsQuantity()
  quantity!: number;

  @IsIn(REPLENISHMENT_TRIGGERS)
  @IsString()
  trigger!: ReplenishmentTrigger;

  @Describe('The replenishment cycle; at most one purchase order per SKU and cycle.')
  @IsText(64)
  cycle!: string;

  @IsStockCount()
  available!: number;

  @IsStockCount()
  incoming!: number;

  @IsStockCount()
  reorderPoint!: number;

  @IsTimestamp()
  requestedAt!: string;
}
