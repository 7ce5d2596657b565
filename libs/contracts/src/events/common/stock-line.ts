import { IsQuantity, IsSku } from './field-rules';

/** A quantity of one SKU: reserved, released, committed, ordered or received. */
export class StockLine {
  @IsSku()
  sku!: string;

  @IsQuantity()
  quantity!: number;
}
