import { IsSku, IsStockCount } from '@waybill/contracts';

/** `:sku` in stock routes, checked with the same rule as the event contracts. */
export class SkuParams {
  @IsSku({
    message: 'sku must be 1-64 characters of letters, digits and . _ / - starting with a letter or digit',
  })
  sku!: string;
}

export class SetStockLevelBody {
  /** Units physically in the warehouse, reserved ones included. */
  @IsStockCount()
  onHand!: number;
}
