import type { Figures } from './figures';
import { redraw, statusBlock, statusLine, summarize, summaryText } from './status-view';

const figures: Figures = {
  orders: { PENDING: 1, RESERVED: 0, CONFIRMED: 2, SHIPPED: 3, DELIVERED: 40, REJECTED: 5, CANCELLED: 4 },
  purchaseOrders: {
    DRAFT: 0,
    SENT: 1,
    ACKNOWLEDGED: 1,
    PARTIALLY_RECEIVED: 0,
    RECEIVED: 6,
    REJECTED: 0,
    CANCELLED: 0,
  },
  outboxBacklog: 7,
  deadLetters: 0,
  channelOrders: {
    shopify: { submitted: 12, held: 1, trackingReported: 10 },
    woocommerce: { submitted: 9, held: 0, trackingReported: 8 },
    youzan: { submitted: 4, held: 2, trackingReported: 0 },
  },
};

describe('npm start status', () => {
  it('shows orders by status, events/s, backlog, DLQ, open POs and every URL with its docs', () => {
    const block = statusBlock(
      { figures, eventsPerSecond: 42.25, uptimeSeconds: 125 },
      {
        endpoints: [
          { name: 'order', url: 'http://127.0.0.1:3001' },
          { name: 'logistics', url: 'http://127.0.0.1:3004' },
        ],
        runFolder: '/tmp/run',
        activity: 'storefront 5 orders/s',
      },
    );
    expect(block).toEqual([
      'Waybill — up 2m 05s · storefront 5 orders/s · Ctrl-C stops',
      '  orders     55 placed · 40 delivered · 5 rejected · 4 cancelled',
      '  in flight  1 pending · 0 reserved · 0 awaiting payment · 2 confirmed · 3 shipped',
      '  events     42.3/s · outbox backlog 7 · DLQ 0',
      '  purchases  2 open POs · 6 received',
      '  channels   shopify 12 submitted/1 held/10 tracked · woocommerce 9 submitted/0 held/8 tracked · youzan 4 submitted/2 held/0 tracked',
      '  order      http://127.0.0.1:3001  docs http://127.0.0.1:3001/docs',
      '  logistics  http://127.0.0.1:3004  docs http://127.0.0.1:3004/docs',
      '  logs       /tmp/run',
    ]);
  });

  it('has a one-line form for pipes, without a rate until there is one', () => {
    expect(statusLine({ figures, uptimeSeconds: 3 }, new Date('2026-12-01T14:05:09Z'))).toBe(
      '[14:05:09] orders 55 placed (1 pending · 0 reserved · 2 confirmed · 3 shipped · 40 delivered · 5 rejected · 4 cancelled)' +
        ' | events –/s | outbox 7 | DLQ 0 | open POs 2 | channels 25 submitted/3 held/18 tracked',
    );
  });

  it('redraws in place: up to the first line of the last block, clear, draw', () => {
    expect(redraw(0, ['a', 'b'])).toBe('\x1b[Ja\nb\n');
    expect(redraw(2, ['c'])).toBe('\x1b[2F\x1b[Jc\n');
  });
});

describe('npm start summary', () => {
  it('totals orders and open purchase orders and says it in words', () => {
    const summary = summarize(figures, new Date('2026-12-01T15:00:00Z'));
    expect(summary).toMatchObject({
      stoppedAt: '2026-12-01T15:00:00.000Z',
      orders: { DELIVERED: 40, total: 55 },
      purchaseOrders: { RECEIVED: 6, open: 2 },
      outboxBacklog: 7,
      deadLetters: 0,
      channelOrders: { youzan: { submitted: 4, held: 2, trackingReported: 0 } },
    });
    expect(summaryText(summary)).toEqual([
      'orders          55: 1 pending · 0 reserved · 2 confirmed · 3 shipped · 40 delivered · 5 rejected · 4 cancelled',
      'purchase orders 2 open: 0 draft · 1 sent · 1 acknowledged · 0 partially received · 6 received · 0 rejected · 0 cancelled',
      'outbox backlog  7',
      'dead letters    0',
      'channel orders  shopify 12 submitted/1 held/10 tracked · woocommerce 9 submitted/0 held/8 tracked · youzan 4 submitted/2 held/0 tracked',
    ]);
  });
});
