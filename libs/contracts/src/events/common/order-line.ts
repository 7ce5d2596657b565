import { Describe, IsMoney, IsQuantity, IsSku } from './field-rules';

/** One line of an order as the customer bought it. */
export class OrderLine {
  @IsSku()
  sku!: string;

  @IsQuantity()
  quantity!: number;

  @Describe('Price of one unit in minor units of the order currency.')
  @IsMoney()
  unitPrice!: number;
}
