import { IsUUID } from 'class-validator';
import { EventContract } from '../../registry/event-contract';
import { TOPICS } from '../../topics';
import {
  Describe,
  IsExternalId,
  IsNestedArray,
  IsNestedObject,
  IsTimestamp,
  MAX_LINES,
  OptionalProperty,
} from '../common/field-rules';
import { StockLine } from '../common/stock-line';
import { Supplier } from '../common/supplier';

@EventContract({
  type: 'waybill.inventory.purchase-order-issued.v1',
  topic: TOPICS.inventory,
  description:
    'A purchase order was sent to a supplier. Key: lines[0].sku (one purchase order per SKU and cycle).',
})
export class PurchaseOrderIssuedV1 {
  @IsUUID()
  purchaseOrderId!: string;

  @Describe('The number the supplier sees and quotes back.')
  @IsExternalId(64)
  poNumber!: string;

  @IsNestedObject(() => Supplier)
  supplier!: Supplier;

  @IsNestedArray(() => StockLine, 1, MAX_LINES)
  lines!: StockLine[];

  @OptionalProperty()
  @Describe('The replenishment request it fulfils, if any.')
  @IsUUID()
  replenishmentId?: string;

  @IsTimestamp()
  issuedAt!: string;
}
