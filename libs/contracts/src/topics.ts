/** One topic per producing service (DESIGN.md). These names are contracts with operators. */
export const TOPICS = {
  order: 'waybill.order.events',
  inventory: 'waybill.inventory.events',
  payment: 'waybill.payment.events',
  logistics: 'waybill.logistics.events',
  storefrontOrders: 'waybill.storefront.orders',
  replenishmentTriggers: 'waybill.replenishment.triggers',
} as const;

export type ServiceName = 'order' | 'inventory' | 'payment' | 'logistics' | 'channels';

/** `channels` has no topic of its own: it publishes the storefront orders it maps on `storefrontOrders`. */
export const SERVICE_NAMES: readonly ServiceName[] = [
  'order',
  'inventory',
  'payment',
  'logistics',
  'channels',
];

export function dlqTopic(service: string): string {
  return `waybill.${service}.dlq`;
}

export function eventSource(service: string): string {
  return `/waybill/${service}`;
}
