import { EXAMPLE_IDS } from '@waybill/contracts';
import {
  type ApiDocOptions,
  type ApiErrorDoc,
  type ApiHeaderDoc,
  ResponseSchema as S,
} from '@waybill/platform';
import { PURCHASE_ORDER_STATES } from '../domain/purchase-order';
import type { PurchaseOrderView } from '../replenishment/purchase-orders.service';
import type { PolicyView, RunResult } from '../replenishment/replenishment.service';
import type { StockView } from '../stock-levels/stock-levels.service';
import type { SupplierMessageAck } from '../supplier-messages/receive-supplier-message.service';
import type {
  CancelPurchaseOrderBody,
  ReplenishmentPolicyBody,
  ReplenishmentRunBody,
} from './replenishment.dto';
import type { SetStockLevelBody } from './stock.dto';

/*
 * What the OpenAPI document says about inventory's routes beyond what the code declares (see
 * @ApiDoc). Examples are typed against the DTOs and views with `satisfies`, so a renamed field fails
 * the compile; tests/openapi.spec.ts validates request examples against the DTOs' schemas.
 */

const stockExample = { sku: 'MUG-BLUE-350', onHand: 120, reserved: 2, available: 118 } satisfies StockView;

const policyBody = {
  reorderPoint: 20,
  orderUpTo: 200,
  minOrderQuantity: 12,
  packSize: 6,
  leadTimeDays: 5,
  supplier: 'acme-ceramics',
} satisfies ReplenishmentPolicyBody;

const policyExample = {
  policy: { sku: 'MUG-BLUE-350', ...policyBody },
  position: { onHand: 18, reserved: 2, available: 16, incoming: 0 },
} satisfies PolicyView;

const purchaseOrderExample = {
  id: EXAMPLE_IDS.purchaseOrderId,
  poNumber: 'PO-000123',
  sku: 'MUG-BLUE-350',
  supplier: 'acme-ceramics',
  state: 'SENT',
  cycle: 1,
  trigger: 'stock-change',
  lines: [{ sku: 'MUG-BLUE-350', ordered: 186, received: 0 }],
  createdAt: '2025-03-01T10:15:00.000Z',
  updatedAt: '2025-03-01T10:15:01.000Z',
  replenishmentId: EXAMPLE_IDS.replenishmentId,
  expectedBy: '2025-03-06T10:15:00.000Z',
  dispatch: { attempts: 1 },
  history: [
    { from: null, to: 'DRAFT', cause: 'reorder-point', at: '2025-03-01T10:15:00.000Z' },
    { from: 'DRAFT', to: 'SENT', cause: 'dispatched', at: '2025-03-01T10:15:01.000Z' },
  ],
  receipts: [],
} satisfies PurchaseOrderView;

const {
  replenishmentId: _r,
  expectedBy: _e,
  dispatch: _d,
  history: _h,
  receipts: _rc,
  ...summary
} = purchaseOrderExample;

const count = S.integer({ minimum: 0 });

const stockSchema = S.named(
  'StockView',
  S.object({ sku: S.string(), onHand: count, reserved: count, available: S.integer() }),
);

const policySchema = S.named(
  'PolicyView',
  S.object({
    policy: S.object(
      {
        sku: S.string(),
        reorderPoint: count,
        orderUpTo: count,
        reorderQuantity: S.integer({ minimum: 1 }),
        minOrderQuantity: S.integer({ minimum: 1 }),
        packSize: S.integer({ minimum: 1 }),
        leadTimeDays: count,
        supplier: S.string(),
      },
      ['orderUpTo', 'reorderQuantity'],
    ),
    position: S.object({ onHand: count, reserved: count, available: S.integer(), incoming: count }),
  }),
);

const summaryProperties = {
  id: S.uuid,
  poNumber: S.string({ pattern: '^PO-\\d+$' }),
  sku: S.string(),
  supplier: S.string(),
  state: S.oneOfValues(PURCHASE_ORDER_STATES),
  cycle: S.integer({ minimum: 1 }),
  trigger: S.string({ description: 'What raised it, e.g. `stock-change`, `sweep`, `manual`, `event`.' }),
  lines: S.arrayOf(S.object({ sku: S.string(), ordered: S.integer({ minimum: 1 }), received: count })),
  createdAt: S.dateTime,
  updatedAt: S.dateTime,
};

const purchaseOrderSummarySchema = S.named('PurchaseOrderSummary', S.object(summaryProperties));

const purchaseOrderSchema = S.named(
  'PurchaseOrderView',
  S.object({
    ...summaryProperties,
    replenishmentId: S.uuid,
    expectedBy: S.dateTime,
    dispatch: S.object({ attempts: count, lastError: S.string(), nextAttemptAt: S.dateTime }, [
      'lastError',
      'nextAttemptAt',
    ]),
    history: S.arrayOf(
      S.object(
        {
          from: S.nullable(S.oneOfValues(PURCHASE_ORDER_STATES)),
          to: S.oneOfValues(PURCHASE_ORDER_STATES),
          cause: S.string(),
          detail: S.anyValue,
          at: S.dateTime,
        },
        ['detail'],
      ),
    ),
    receipts: S.arrayOf(
      S.object({
        receiptRef: S.string(),
        lines: S.arrayOf(S.object({ sku: S.string(), quantity: S.integer({ minimum: 1 }) })),
        receivedAt: S.dateTime,
      }),
    ),
  }),
);

const skuErrors: ApiErrorDoc[] = [
  { status: 404, code: 'INVENTORY.UNKNOWN_SKU', description: 'The SKU is not stocked.' },
];
const purchaseOrderNotFound: ApiErrorDoc = {
  status: 404,
  code: 'REPLENISHMENT.PURCHASE_ORDER_NOT_FOUND',
  description: 'No purchase order with this id or PO number.',
};

const standardWebhookHeaders: ApiHeaderDoc[] = [
  {
    name: 'webhook-id',
    required: true,
    description: 'The message id; a repeat is answered `duplicate: true`.',
    example: 'msg_2Kx9',
  },
  {
    name: 'webhook-timestamp',
    required: true,
    description: 'Unix seconds; 300 s tolerance.',
    example: '1740824100',
  },
  {
    name: 'webhook-signature',
    required: true,
    description: 'Standard Webhooks: `v1,<base64 HMAC-SHA256 of id.timestamp.body>`, space-separated.',
    example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  },
];

export const STOCK_API = {
  get: {
    summary: 'Get the stock of a SKU',
    response: { description: 'On hand, reserved and available.', schema: stockSchema, example: stockExample },
    errors: skuErrors,
  },
  set: {
    summary: 'Set the units on hand of a SKU',
    description: 'Stocks the SKU if it was not; checks its reorder point in the same transaction.',
    requestExample: { onHand: 120 } satisfies SetStockLevelBody,
    response: { description: 'The stock after the change.', schema: stockSchema, example: stockExample },
    errors: [
      {
        status: 409,
        code: 'INVENTORY.ON_HAND_BELOW_RESERVED',
        description: 'Fewer units on hand than are reserved for open orders.',
      },
    ],
  },
} satisfies Record<string, ApiDocOptions>;

export const REPLENISHMENT_API = {
  putPolicy: {
    summary: 'Set the replenishment policy of a SKU',
    description:
      'Exactly one of `orderUpTo` and `reorderQuantity`. The SKU becomes stocked (on hand 0) if it ' +
      'was not, and is checked at once.',
    requestExample: policyBody,
    response: {
      description: 'The policy and where the SKU stands.',
      schema: policySchema,
      example: policyExample,
    },
    errors: [
      {
        status: 422,
        code: 'REPLENISHMENT.UNKNOWN_SUPPLIER',
        description:
          'The supplier is not configured, or both or neither of orderUpTo and reorderQuantity are set.',
      },
    ],
  },
  getPolicy: {
    summary: 'Get the replenishment policy of a SKU',
    response: {
      description: 'The policy and its position (on hand, reserved, available, incoming).',
      schema: policySchema,
      example: policyExample,
    },
    errors: [{ status: 404, code: 'REPLENISHMENT.NO_POLICY', description: 'The SKU has no policy.' }],
  },
  run: {
    summary: 'Run replenishment now',
    description: 'Checks the named SKUs, or every SKU at or below its reorder point (at most 1000 per run).',
    requestExample: { skus: ['MUG-BLUE-350'] } satisfies ReplenishmentRunBody,
    response: {
      description: 'How many SKUs were checked and the purchase orders raised.',
      schema: S.object({
        checked: count,
        raised: S.arrayOf(
          S.object({
            sku: S.string(),
            purchaseOrderId: S.uuid,
            poNumber: S.string(),
            quantity: S.integer({ minimum: 1 }),
            supplier: S.string(),
          }),
        ),
      }),
      example: {
        checked: 1,
        raised: [
          {
            sku: 'MUG-BLUE-350',
            purchaseOrderId: summary.id,
            poNumber: summary.poNumber,
            quantity: 186,
            supplier: 'acme-ceramics',
          },
        ],
      } satisfies RunResult,
    },
  },
} satisfies Record<string, ApiDocOptions>;

export const PURCHASE_ORDERS_API = {
  list: {
    summary: 'List purchase orders',
    description: 'Newest first. Pass `nextCursor` as `cursor` for the next page.',
    response: {
      description: 'One page.',
      schema: S.object(
        {
          items: S.arrayOf(purchaseOrderSummarySchema),
          nextCursor: S.string({ description: 'Pass as `cursor` for the next page; absent on the last.' }),
        },
        ['nextCursor'],
      ),
      example: { items: [summary], nextCursor: '122' },
    },
  },
  get: {
    summary: 'Get a purchase order',
    description:
      'By id or PO number: lines, expected date, dispatch attempts, every transition and the receipts.',
    response: {
      description: 'The purchase order.',
      schema: purchaseOrderSchema,
      example: purchaseOrderExample,
    },
    errors: [purchaseOrderNotFound],
  },
  cancel: {
    summary: 'Cancel a purchase order',
    description: 'Only before anything was received; its units stop counting as incoming.',
    requestExample: { reason: 'supplier discontinued the item' } satisfies CancelPurchaseOrderBody,
    response: {
      description: 'The purchase order, CANCELLED.',
      schema: purchaseOrderSchema,
      example: { ...purchaseOrderExample, state: 'CANCELLED' } satisfies PurchaseOrderView,
    },
    errors: [
      purchaseOrderNotFound,
      {
        status: 409,
        code: 'REPLENISHMENT.PURCHASE_ORDER_NOT_CANCELLABLE',
        description: 'Goods were received, or the order is already closed.',
      },
    ],
  },
} satisfies Record<string, ApiDocOptions>;

export const SUPPLIER_WEBHOOKS_API = {
  receive: {
    summary: 'Receive a supplier message',
    description:
      'Acknowledgements, rejections, shipping notices and goods-received notes, applied in the request ' +
      'in one transaction. `:supplier` is the configured supplier id.',
    webhook: { signature: 'Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature' },
    headers: standardWebhookHeaders,
    requestExample: {
      type: 'goods.received',
      poNumber: 'PO-000123',
      receiptRef: 'DN-77',
      lines: [{ sku: 'MUG-BLUE-350', quantity: 186 }],
    },
    response: {
      description: 'Applied, ignored (late or repeated) or a duplicate webhook-id.',
      schema: S.object(
        {
          received: { const: true },
          duplicate: S.boolean,
          outcome: S.oneOfValues(['applied', 'ignored']),
          purchaseOrder: S.object({ poNumber: S.string(), state: S.oneOfValues(PURCHASE_ORDER_STATES) }),
        },
        ['outcome', 'purchaseOrder'],
      ),
      example: {
        received: true,
        duplicate: false,
        outcome: 'applied',
        purchaseOrder: { poNumber: 'PO-000123', state: 'RECEIVED' },
      } satisfies SupplierMessageAck,
    },
    errors: [
      { status: 404, code: 'SUPPLIER.UNKNOWN', description: 'No supplier with this id is configured.' },
      {
        status: 409,
        code: 'SUPPLIER_WEBHOOK.PURCHASE_ORDER_CLOSED',
        description:
          'The purchase order is closed, or the receipt was already booked (`.RECEIPT_ALREADY_BOOKED`).',
      },
      {
        status: 422,
        code: 'SUPPLIER_WEBHOOK.UNKNOWN_PURCHASE_ORDER',
        description:
          'Unknown PO number, an over-receipt (`.OVER_RECEIPT`) or a line not ordered (`.UNKNOWN_LINE`).',
      },
    ],
  },
} satisfies Record<string, ApiDocOptions>;
