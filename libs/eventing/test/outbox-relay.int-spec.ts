import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '@waybill/eventing';
import { waitFor } from '@waybill/testing';
import { ItemRecordedV1 } from './fixtures';
import { collectTopic, eventingTestBed, EventingTestBed, sleep } from './support';

function item(key: string, seq: number): { type: string; subject: string; data: ItemRecordedV1 } {
  return { type: 'waybill.test.item-recorded.v1', subject: key, data: { itemId: randomUUID(), key, seq } };
}

describe('outbox relay on real Postgres and Kafka', () => {
  let bed: EventingTestBed;
  let relay: OutboxRelay;

  beforeEach(async () => {
    bed = await eventingTestBed('relay');
    relay = new OutboxRelay({
      dataSource: bed.dataSource,
      kafka: bed.kafka,
      pollIntervalMs: 200,
      batchSize: 200,
    });
    relay.start();
  });

  afterEach(async () => {
    await relay.stop();
    await bed.close();
  });

  it('publishes a committed transaction exactly once, in order per key, and nothing of a rolled-back one', async () => {
    const topic = bed.outbox.topicFor('waybill.test.item-recorded.v1');
    const collector = await collectTopic(bed.kafka, topic);
    const committed = ['k1', 'k2', 'k3'].flatMap((key) => [0, 1, 2, 3].map((seq) => item(key, seq)));
    const rolledBack = [item('k1', 99), item('k4', 0)];

    await bed.dataSource.transaction((manager) => bed.outbox.enqueue(manager, committed));
    await expect(
      bed.dataSource.transaction(async (manager) => {
        await bed.outbox.enqueue(manager, rolledBack);
        throw new Error('business rule failed after the events were written');
      }),
    ).rejects.toThrow('business rule failed');

    await waitFor(() => collector.messages.length >= committed.length, {
      timeoutMs: 20000,
      description: '12 events',
    });
    await sleep(1000); // room for a duplicate or a rolled-back event to show up
    await collector.stop();

    const received = collector.messages.map((m) => JSON.parse(m.value!) as ItemRecordedV1);
    expect(received).toHaveLength(committed.length);
    expect(new Set(received.map((r) => r.itemId))).toEqual(new Set(committed.map((c) => c.data.itemId)));
    for (const key of ['k1', 'k2', 'k3']) {
      expect(received.filter((r) => r.key === key).map((r) => r.seq)).toEqual([0, 1, 2, 3]);
      // one key, one partition: Kafka keeps the order only because the relay kept it
      expect(new Set(collector.messages.filter((m) => m.key === key).map((m) => m.partition)).size).toBe(1);
    }
    expect(received.some((r) => r.seq === 99 || r.key === 'k4')).toBe(false);
    const first = collector.messages[0]!;
    expect(first.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: 'waybill.test.item-recorded.v1',
      ce_source: '/waybill/test',
      'content-type': 'application/json',
    });
    const { count } = (
      await bed.dataSource.query(`SELECT count(*)::int AS count FROM outbox_pending`)
    )[0] as { count: number };
    expect(count).toBe(0);
  });

  it('does not skip an earlier-id transaction that commits after a later one', async () => {
    const topic = bed.outbox.topicFor('waybill.test.item-recorded.v1');
    const collector = await collectTopic(bed.kafka, topic);
    const slow = bed.dataSource.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    const early = item('gap', 0);
    await bed.outbox.enqueue(slow.manager, early); // takes the lower id, commits last
    const late = item('gap-late', 0);
    await bed.dataSource.transaction((manager) => bed.outbox.enqueue(manager, late));
    await sleep(1500); // several relay polls while the early transaction is still open
    await slow.commitTransaction();
    await slow.release();

    await waitFor(() => collector.messages.length >= 2, { timeoutMs: 20000, description: 'both events' });
    await sleep(500);
    await collector.stop();
    const ids = collector.messages.map((m) => (JSON.parse(m.value!) as ItemRecordedV1).itemId).sort();
    expect(ids).toEqual([early.data.itemId, late.data.itemId].sort());
  });

  it('delivers 1,000 events from 8 concurrent writers with interleaved commits, each exactly once', async () => {
    const topic = bed.outbox.topicFor('waybill.test.item-recorded.v1');
    const collector = await collectTopic(bed.kafka, topic);
    const writers = 8;
    const perWriter = 125;
    const written: string[] = [];
    const idOrderVsCommitOrder: { firstId: number; committedAt: number }[] = [];

    await Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        for (let batch = 0; batch < perWriter / 5; batch += 1) {
          await bed.dataSource.transaction(async (manager) => {
            const events = Array.from({ length: 5 }, (_, i) => item(`writer-${writer}`, batch * 5 + i));
            await bed.outbox.enqueue(manager, events);
            const [{ id }] = (await manager.query(`SELECT max(id)::int AS id FROM outbox`)) as {
              id: number;
            }[];
            // Hold the transaction open a random while so later ids commit first.
            await sleep(Math.random() * 15);
            written.push(...events.map((e) => e.data.itemId));
            idOrderVsCommitOrder.push({ firstId: id!, committedAt: idOrderVsCommitOrder.length });
          });
        }
      }),
    );
    expect(written).toHaveLength(1000);
    // The scenario really had commits out of id order.
    const outOfOrder = idOrderVsCommitOrder.some(
      (entry, i, all) => i > 0 && entry.firstId < all[i - 1]!.firstId,
    );
    expect(outOfOrder).toBe(true);

    await waitFor(() => collector.messages.length >= 1000, { timeoutMs: 60000, description: '1000 events' });
    await sleep(1000);
    await collector.stop();
    const received = collector.messages.map((m) => JSON.parse(m.value!) as ItemRecordedV1);
    expect(received).toHaveLength(1000);
    expect(new Set(received.map((r) => r.itemId))).toEqual(new Set(written));
    for (let writer = 0; writer < writers; writer += 1) {
      const seqs = received.filter((r) => r.key === `writer-${writer}`).map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
  });

  it('publishes in transaction-id order where the ids gain a digit, without skipping rows', async () => {
    await relay.stop();
    const topic = bed.outbox.topicFor('waybill.test.item-recorded.v1');
    const collector = await collectTopic(bed.kafka, topic);
    // Rows as transactions 998…1001 wrote them (long finished, so below every snapshot's xmin).
    // Compared as text, '1000' < '999': a batch of two cut by that order would move the position
    // past 998 and 999 and never publish them.
    const events = [998, 999, 1000, 1001].map((xid, seq) => ({ xid, ...item('digits', seq) }));
    for (const event of events) {
      await bed.dataSource.query(
        `INSERT INTO outbox (xid, event_id, event_type, topic, message_key, headers, payload)
         VALUES ($1::text::xid8, $2, $3, $4, $5, $6, $7)`,
        [
          String(event.xid),
          event.data.itemId,
          event.type,
          topic,
          event.subject,
          JSON.stringify({ ce_id: event.data.itemId, ce_type: event.type }),
          JSON.stringify(event.data),
        ],
      );
    }
    relay = new OutboxRelay({
      dataSource: bed.dataSource,
      kafka: bed.kafka,
      pollIntervalMs: 100,
      batchSize: 2,
    });
    relay.start();

    await waitFor(() => relay.publishedCount >= 4, { timeoutMs: 20000, description: 'four events' });
    await waitFor(() => collector.messages.length >= 4, { timeoutMs: 20000, description: 'four received' });
    await collector.stop();
    const seqs = collector.messages.map((m) => (JSON.parse(m.value!) as ItemRecordedV1).seq);
    expect(seqs).toEqual([0, 1, 2, 3]);
  });

  it('removes published rows once they are past the retention period', async () => {
    await relay.stop();
    relay = new OutboxRelay({
      dataSource: bed.dataSource,
      kafka: bed.kafka,
      pollIntervalMs: 100,
      retentionMs: 1,
      housekeepingIntervalMs: 100,
    });
    await bed.dataSource.transaction((manager) =>
      bed.outbox.enqueue(manager, [item('ret', 0), item('ret', 1)]),
    );
    relay.start();
    await waitFor(
      async () => {
        const rows = (await bed.dataSource.query(`SELECT count(*)::int AS count FROM outbox`)) as {
          count: number;
        }[];
        return rows[0]!.count === 0 && relay.publishedCount === 2;
      },
      { timeoutMs: 20000, description: 'published rows removed' },
    );
  });
});

describe('the relay connection', () => {
  it('gives its connection back to the pool with synchronous_commit as the service had it', async () => {
    const bed = await eventingTestBed('relay_conn');
    // One pooled connection: the one the relay led with is the one the service gets next.
    const single = new DataSource({ type: 'postgres', url: bed.databaseUrl, extra: { max: 1 } });
    await single.initialize();
    try {
      const relay = new OutboxRelay({ dataSource: single, kafka: bed.kafka, pollIntervalMs: 100 });
      relay.start();
      await single.transaction((manager) => bed.outbox.enqueue(manager, [item('conn', 0)]));
      await waitFor(() => relay.publishedCount === 1, {
        timeoutMs: 20000,
        description: 'the event published',
      });
      await relay.stop();
      const [setting] = (await single.query(`SHOW synchronous_commit`)) as { synchronous_commit: string }[];
      expect(setting?.synchronous_commit).toBe('on');
    } finally {
      await single.destroy();
      await bed.close();
    }
  });
});
