import type { SupplierAdapterKind } from './supplier-settings';

/** What a supplier receives: the purchase order as JSON (the http-json body, signed). */
export interface PurchaseOrderDocument {
  readonly type: 'purchase_order.issued';
  readonly poNumber: string;
  readonly purchaseOrderId: string;
  readonly supplier: { readonly id: string; readonly name?: string };
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
  readonly issuedAt: string;
  /** When we expect the goods (the policy's lead time from issue). */
  readonly expectedBy: string;
  /** Where acknowledgements and receipts go, relative to the inventory service's base URL. */
  readonly replyTo: string;
}

/** A send is delivered (the supplier has the order) or failed (it will be sent again, same number). */
export type SendOutcome =
  | { readonly outcome: 'delivered'; readonly detail: string }
  | { readonly outcome: 'failed'; readonly reason: string };

/**
 * One supplier integration. Adding one is adding one file that implements this. A supplier that
 * is down, slow or refusing is a returned outcome, never an exception: the dispatcher retries it.
 */
export interface SupplierAdapter {
  readonly kind: SupplierAdapterKind;
  send(order: PurchaseOrderDocument): Promise<SendOutcome>;
  /** Stops timers and waits for work in flight (shutdown). */
  close?(): Promise<void>;
}
