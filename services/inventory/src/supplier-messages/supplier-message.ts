import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  ValidateNested,
  validateSync,
} from 'class-validator';
import { IsExternalId, IsQuantity, IsSku, IsText, MAX_LINES } from '@waybill/contracts';

/**
 * What a supplier posts to `/v1/webhooks/suppliers/:supplier` (README: "Supplier webhooks"):
 *
 *   { "type": "purchase_order.acknowledged" | "purchase_order.rejected" | "shipment.advised" | "goods.received",
 *     "poNumber": "PO-000123",
 *     "receiptRef": "GRN-77",                        goods.received: the supplier's delivery note id
 *     "lines": [{ "sku": "MUG-BLUE", "quantity": 10 }], goods.received and shipment.advised
 *     "reason": "out of stock" }                      purchase_order.rejected, optional
 */
export const SUPPLIER_MESSAGE_TYPES = [
  'purchase_order.acknowledged',
  'purchase_order.rejected',
  'shipment.advised',
  'goods.received',
] as const;
export type SupplierMessageType = (typeof SUPPLIER_MESSAGE_TYPES)[number];

export class SupplierMessageLine {
  @IsSku()
  sku!: string;

  @IsQuantity()
  quantity!: number;
}

export class SupplierMessage {
  @IsIn(SUPPLIER_MESSAGE_TYPES)
  type!: SupplierMessageType;

  @IsExternalId(64)
  poNumber!: string;

  @IsOptional()
  @IsExternalId()
  receiptRef?: string;

  @IsOptional()
  @Type(() => SupplierMessageLine)
  @ValidateNested({ each: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LINES)
  @IsArray()
  lines?: SupplierMessageLine[];

  @IsOptional()
  @IsText(500)
  reason?: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  occurredAt?: string;
}

/** The message, or what is wrong with it (field by field, never echoing the body). */
export function parseSupplierMessage(
  rawBody: Buffer,
): { ok: true; message: SupplierMessage } | { ok: false; problems: string[] } {
  let plain: unknown;
  try {
    plain = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { ok: false, problems: ['the body is not JSON'] };
  }
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    return { ok: false, problems: ['the body must be a JSON object'] };
  }
  const message = plainToInstance(SupplierMessage, plain);
  const problems = validateSync(message, { validationError: { target: false, value: false } }).flatMap(
    (error) => Object.values(error.constraints ?? { [error.property]: `${error.property} is invalid` }),
  );
  if (message.type === 'goods.received' && (!message.receiptRef || !message.lines)) {
    problems.push('goods.received needs receiptRef and lines');
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, message };
}
