import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import { Describe, IsSku, IsStockCount, IsTimestamp } from '../common/field-rules';

@EventContract({
  type: 'waybill.inventory.stock-low.v1',
  topic: TOPICS.inventory,
  description: 'A SKU crossed its reorder point: available + incoming <= reorderPoint. Key: sku.',
})
export class StockLowV1 {
  @IsSku()
  sku!: string;

  @Describe('On hand minus reserved.')
  @IsStockCount()
  available!: number;

  @Describe('Ordered from suppliers and not yet received.')
  @IsStockCount()
  incoming!: number;

  @IsStockCount()
  reorderPoint!: number;

  @IsTimestamp()
  detectedAt!: string;
}
