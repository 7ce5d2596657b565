import { Describe, IsQuantity, IsSku, IsStockCount } from './field-rules';

/** A line that could not be reserved; an unknown SKU has `available` 0. */
export class ShortLine {
  @IsSku()
  sku!: string;

  @IsQuantity()
  requested!: number;

  @Describe('Units available to reserve when the order was checked.')
  @IsStockCount()
  available!: number;
}
