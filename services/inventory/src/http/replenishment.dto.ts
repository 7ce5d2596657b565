import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsExternalId, IsQuantity, IsSku, IsSlug, IsStockCount, IsText } from '@waybill/contracts';
import { PageLimitQuery } from '@waybill/platform';
import { PURCHASE_ORDER_STATES, PurchaseOrderState } from '../domain/purchase-order';

export class ReplenishmentPolicyBody {
  /** available + incoming at or below this triggers a purchase order. */
  @IsStockCount()
  reorderPoint!: number;

  /** Order up to this level… */
  @IsOptional()
  @IsStockCount()
  orderUpTo?: number;

  /** …or this fixed quantity each time (exactly one of the two). */
  @IsOptional()
  @IsQuantity()
  reorderQuantity?: number;

  @IsOptional()
  @IsQuantity()
  minOrderQuantity?: number;

  @IsOptional()
  @IsQuantity()
  packSize?: number;

  @IsInt()
  @Min(0)
  @Max(365)
  leadTimeDays!: number;

  @IsSlug()
  supplier!: string;
}

export class ReplenishmentRunBody {
  /** The SKUs to check; every SKU at or below its reorder point if absent. */
  @IsOptional()
  @IsSku({ each: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsArray()
  skus?: string[];
}

export class PurchaseOrderQuery extends PageLimitQuery {
  @IsOptional()
  @IsSku()
  sku?: string;

  @IsOptional()
  @IsIn(PURCHASE_ORDER_STATES)
  state?: PurchaseOrderState;

  @IsOptional()
  @IsSlug()
  supplier?: string;

  /** `nextCursor` of the previous page. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  cursor?: number;
}

export class PurchaseOrderParams {
  /** The id (uuid) or the PO number. */
  @IsExternalId(64)
  id!: string;
}

export class CancelPurchaseOrderBody {
  @IsOptional()
  @IsText(500)
  reason?: string;
}
