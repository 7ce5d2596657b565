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
} from '../common/field-rules';
import { StockLine } from '../common/stock-line';
import { Supplier } from '../common/supplier';

@EventContract({
  type: 'waybill.inventory.stock-received.v1',
  topic: TOPICS.inventory,
  description:
    'Goods of a purchase order arrived and were added to stock. Key: lines[0].sku (one purchase order per SKU and cycle).',
})
export class StockReceivedV1 {
  @IsUUID()
  purchaseOrderId!: string;

  @IsExternalId(64)
  poNumber!: string;

  @IsNestedObject(() => Supplier)
  supplier!: Supplier;

  @Describe("The supplier's receipt or delivery note id; a receipt is booked once.")
  @IsExternalId()
  receiptRef!: string;

  @Describe('Units received in this receipt (a purchase order may arrive in parts).')
  @IsNestedArray(() => StockLine, 1, MAX_LINES)
  lines!: StockLine[];

  @IsTimestamp()
  receivedAt!: string;
}
