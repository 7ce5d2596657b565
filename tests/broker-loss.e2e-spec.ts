import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { destroyKafkaCluster, KafkaClusterHandle, startKafkaCluster } from '@waybill/testing';
import { ProcessStack, STACK_SERVICES } from './support/process-stack';

jest.setTimeout(420_000);

// A fixed name: a run interrupted before afterAll leaves its brokers on these ports, and the next
// run clears them away by this name.
const CLUSTER = 'it-broker-loss';
const ORDERS = 300;
const PER_SECOND = 30;
/** From the broker's death, every order reaches its final state within this (stated in the README). */
const SETTLE_BOUND_MS = 120_000;

/**
 * Issue 19's outage: the four services on a 3-broker KRaft cluster (RF 3, min ISR 2, as
 * deploy/k8s runs it), one broker killed with SIGKILL during the load and restarted later. Before,
 * the relays retried one rejected batch forever (OUT_OF_ORDER_SEQUENCE_NUMBER) and orders stood
 * still; now every order settles, each charged, shipped and taken from stock once.
 */
describe('a broker killed during load on a 3-broker cluster', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waybill-broker-loss-'));
  let cluster: KafkaClusterHandle | undefined;
  let stack: ProcessStack | undefined;

  beforeAll(async () => {
    await destroyKafkaCluster(CLUSTER);
    cluster = await startKafkaCluster({
      name: CLUSTER,
      brokers: 3,
      basePort: 29192,
      dataDir,
      heapMb: 320,
      jvmOptions: ['-XX:TieredStopAtLevel=1'],
    });
    stack = await ProcessStack.start({ name: 'brokerloss', brokers: cluster.bootstrap });
  });

  afterAll(async () => {
    await stack?.stop();
    await cluster?.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** The broker leading the most partitions of the services' topics: its death moves the most. */
  async function busiestLeader(): Promise<number> {
    const kafka = new Kafka({
      clientId: 'it-broker-loss',
      brokers: cluster!.bootstrap,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter((topic) => topic.startsWith('brokerloss.'));
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      const led = new Map<number, number>();
      for (const partition of metadata.flatMap((topic) => topic.partitions)) {
        led.set(partition.leader, (led.get(partition.leader) ?? 0) + 1);
      }
      return [...led].sort((a, b) => b[1] - a[1])[0][0];
    } finally {
      await admin.disconnect();
    }
  }

  it('keeps the orders flowing; every order settles within the bound, once', async () => {
    const c = cluster!;
    const s = stack!;
    const victim = await busiestLeader();
    let killedAt = 0;
    let killing: Promise<void> | undefined;
    const load = await s.placeOrders({
      orders: ORDERS,
      perSecond: PER_SECOND,
      onPlaced: (index) => {
        if (index !== 3 * PER_SECOND) {
          return;
        }
        killedAt = Date.now();
        killing = c.stopBroker(victim, { signal: 'SIGKILL' });
      },
    });
    await killing;
    expect(c.pids).toHaveLength(2);

    // With one broker gone the cluster still takes writes (min ISR 2): the orders must settle
    // before it comes back.
    await s.waitUntilSettled(load.orderIds, SETTLE_BOUND_MS - (Date.now() - killedAt));
    const settledAfterMs = Date.now() - killedAt;
    await c.startBroker(victim);
    expect(c.pids).toHaveLength(3);

    expect(await s.figuresOnceShipped(load)).toEqual({
      statuses: { SHIPPED: ORDERS },
      stock: { onHand: load.stockAtStart - ORDERS, reserved: 0 },
      paymentsCaptured: ORDERS,
      capturedAmount: ORDERS * 1000,
      shipments: ORDERS,
      ordersWithTwoShipments: 0,
      deadLettered: 0,
    });

    // Back to three brokers, the services still work: one more order goes all the way.
    const more = await s.placeOrders({ orders: 5, perSecond: 5 });
    await s.waitUntilSettled(more.orderIds, 60_000);

    const replaced: Record<string, number> = {};
    for (const service of STACK_SERVICES) {
      const metrics = await s.metrics(service);
      replaced[service] = metrics.value('waybill_kafka_producer_replacements_total', { role: 'relay' });
      expect((await fetch(`${s.services[service].baseUrl}/health/ready`)).status).toBe(200);
    }
    // Whether the kill meets a send in flight (and a relay replaces its producer) is up to timing:
    // kafkajs often retries onto the new leader inside the same send. The count is reported, not
    // asserted; kafka-outage.int-spec.ts forces the replacement deterministically.
    console.log(
      `broker ${victim} killed: ${ORDERS} orders settled ${settledAfterMs} ms after; relay producers replaced: ${JSON.stringify(replaced)}`,
    );
  });
});
