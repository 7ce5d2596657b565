import { computeTotals, OrderTotals, PricedLine } from './order-totals';

/**
 * The storefront's payment token travels on as order.placed's `paymentMethodRef`, which the
 * contract caps at 256 characters (the inbound token field allows 512). A longer token would be
 * accepted here and then break the outgoing contract, so it is refused up front.
 */
export const MAX_PAYMENT_METHOD_REF_LENGTH = 256;

/**
 * The payment provider of orders already paid on the storefront's platform: payment records them
 * as captured without calling anyone, so only storefronts configured for it may name it.
 */
export const PREPAID_PAYMENT_PROVIDER = 'prepaid';

export interface OrderDraft {
  readonly lines: readonly PricedLine[];
  readonly totalAmount?: number;
  readonly paymentProvider: string;
  readonly paymentToken: string;
  /** Whether the submitting storefront is one whose orders arrive paid (ORDER_PREPAID_STOREFRONTS). */
  readonly storefrontMayPrepay: boolean;
}

export type DraftCheck =
  | { readonly ok: true; readonly totals: OrderTotals }
  | { readonly ok: false; readonly code: string; readonly field: string; readonly message: string };

/** Business rules a contract-valid order must also keep before it is placed. */
export function checkOrderDraft(draft: OrderDraft): DraftCheck {
  if (draft.paymentProvider === PREPAID_PAYMENT_PROVIDER && !draft.storefrontMayPrepay) {
    return {
      ok: false,
      code: 'ORDER.PAYMENT_PROVIDER_NOT_ALLOWED',
      field: 'payment.provider',
      message: `payment.provider ${PREPAID_PAYMENT_PROVIDER} is only for storefronts whose orders are paid on their platform`,
    };
  }
  if (draft.paymentToken.length > MAX_PAYMENT_METHOD_REF_LENGTH) {
    return {
      ok: false,
      code: 'ORDER.PAYMENT_TOKEN_TOO_LONG',
      field: 'payment.token',
      message: `payment.token must be at most ${MAX_PAYMENT_METHOD_REF_LENGTH} characters`,
    };
  }
  const totals = computeTotals(draft.lines, draft.totalAmount);
  return totals.ok ? { ok: true, totals: totals.totals } : totals;
}
