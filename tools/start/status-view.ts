/**
 * How `npm start` shows progress: one status block redrawn in place on a terminal, or one plain
 * line now and then when the output is a file or a pipe. Pure: figures in, text out.
 */
import { FINAL_STATUSES, ORDER_STATUSES } from '../../services/order/src/domain/order-status';
import { openPurchaseOrders, total, type ChannelOrderCounts, type Figures } from './figures';

export interface StatusSnapshot {
  readonly figures: Figures;
  /** Events the relays published per second since the last snapshot; undefined on the first. */
  readonly eventsPerSecond?: number;
  readonly uptimeSeconds: number;
}

export interface Endpoint {
  readonly name: string;
  readonly url: string;
}

function duration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) {
    return `${s}s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  }
  return `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

const rate = (value: number | undefined): string => (value === undefined ? '–' : value.toFixed(1));

/** `3 pending · 2 reserved · …` in the statuses' own order, lower case. */
function byStatus(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .map(([status, n]) => `${n} ${status.toLowerCase().replace(/_/g, ' ')}`)
    .join(' · ');
}

// Two lines rather than one that a narrow terminal would cut: where orders ended, and where they are.
const FINAL: readonly string[] = FINAL_STATUSES;
const IN_FLIGHT = ORDER_STATUSES.filter((status) => !FINAL.includes(status));

const counted = (counts: ChannelOrderCounts): string =>
  `${counts.submitted} submitted/${counts.held} held/${counts.trackingReported} tracked`;

/** `shopify 12 submitted/1 held/10 tracked · woocommerce …`: per platform, tracked = told the parcel. */
function byChannel(channels: Readonly<Record<string, ChannelOrderCounts>>): string {
  return Object.entries(channels)
    .map(([channel, counts]) => `${channel} ${counted(counts)}`)
    .join(' · ');
}

function channelTotals(channels: Readonly<Record<string, ChannelOrderCounts>>): ChannelOrderCounts {
  const all = Object.values(channels);
  const sum = (key: keyof ChannelOrderCounts): number => all.reduce((n, counts) => n + counts[key], 0);
  return { submitted: sum('submitted'), held: sum('held'), trackingReported: sum('trackingReported') };
}

function pick(counts: Readonly<Record<string, number>>, keys: readonly string[]): Record<string, number> {
  return Object.fromEntries(keys.map((key) => [key, counts[key] ?? 0]));
}

export function statusBlock(
  snapshot: StatusSnapshot,
  context: { readonly endpoints: readonly Endpoint[]; readonly runFolder: string; readonly activity: string },
): string[] {
  const { figures } = snapshot;
  const width = Math.max(...context.endpoints.map((endpoint) => endpoint.name.length), 9);
  const label = (text: string): string => `  ${text.padEnd(width)}  `;
  return [
    `Waybill — up ${duration(snapshot.uptimeSeconds)} · ${context.activity} · Ctrl-C stops`,
    `${label('orders')}${total(figures.orders)} placed · ${byStatus(pick(figures.orders, FINAL))}`,
    `${label('in flight')}${byStatus(pick(figures.orders, IN_FLIGHT))}`,
    `${label('events')}${rate(snapshot.eventsPerSecond)}/s · outbox backlog ${figures.outboxBacklog} · DLQ ${figures.deadLetters}`,
    `${label('purchases')}${openPurchaseOrders(figures)} open POs · ${figures.purchaseOrders.RECEIVED ?? 0} received`,
    `${label('channels')}${byChannel(figures.channelOrders)}`,
    ...context.endpoints.map(
      (endpoint) => `${label(endpoint.name)}${endpoint.url}  docs ${endpoint.url}/docs`,
    ),
    `${label('logs')}${context.runFolder}`,
  ];
}

/** The one-line form for logs and pipes. */
export function statusLine(snapshot: StatusSnapshot, now = new Date()): string {
  const { figures } = snapshot;
  return [
    `[${now.toISOString().slice(11, 19)}] orders ${total(figures.orders)} placed (${byStatus(figures.orders)})`,
    `events ${rate(snapshot.eventsPerSecond)}/s`,
    `outbox ${figures.outboxBacklog}`,
    `DLQ ${figures.deadLetters}`,
    `open POs ${openPurchaseOrders(figures)}`,
    `channels ${counted(channelTotals(figures.channelOrders))}`,
  ].join(' | ');
}

/**
 * Text that replaces the block drawn last (`previousLines` lines, cursor below it) with `lines`:
 * back to the block's first line, clear to the end of the screen, draw.
 */
export function redraw(previousLines: number, lines: readonly string[]): string {
  const back = previousLines > 0 ? `\x1b[${previousLines}F` : '';
  return `${back}\x1b[J${lines.join('\n')}\n`;
}

/** What `npm start` leaves in `summary.json` and prints on Ctrl-C: the databases' final word. */
export interface RunSummary {
  readonly stoppedAt: string;
  readonly orders: Readonly<Record<string, number>> & { readonly total: number };
  readonly purchaseOrders: Readonly<Record<string, number>> & { readonly open: number };
  readonly outboxBacklog: number;
  readonly deadLetters: number;
  /** Platform orders by platform, as the channels service holds them. */
  readonly channelOrders: Readonly<Record<string, ChannelOrderCounts>>;
}

export function summarize(figures: Figures, now = new Date()): RunSummary {
  return {
    stoppedAt: now.toISOString(),
    orders: { ...figures.orders, total: total(figures.orders) },
    purchaseOrders: { ...figures.purchaseOrders, open: openPurchaseOrders(figures) },
    outboxBacklog: figures.outboxBacklog,
    deadLetters: figures.deadLetters,
    channelOrders: figures.channelOrders,
  };
}

export function summaryText(summary: RunSummary): string[] {
  const { total: orderTotal, ...orders } = summary.orders;
  const { open, ...purchaseOrders } = summary.purchaseOrders;
  return [
    `orders          ${orderTotal}: ${byStatus(orders)}`,
    `purchase orders ${open} open: ${byStatus(purchaseOrders)}`,
    `outbox backlog  ${summary.outboxBacklog}`,
    `dead letters    ${summary.deadLetters}`,
    `channel orders  ${byChannel(summary.channelOrders)}`,
  ];
}
