/**
 * `npm run bench:relay` — the outbox relay against Kafka's own producer on the same broker.
 *
 * 1. Kafka's ProducerPerformance (kafka-tools jar): 1 KB records, acks=all, idempotent — the same
 *    delivery guarantees the relay uses — as the ceiling for this broker and machine.
 * 2. Relay throughput: a backlog of 1 KB events committed to the outbox, drained by one relay.
 * 3. Latency at a steady 1,000 events/s: from each writer's COMMIT returning to a Kafka consumer
 *    receiving the event; p50 and p99.
 * Prints a Markdown block for BENCHMARKS.md. Sizes can be set with BENCH_* variables.
 */
import 'reflect-metadata';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { EventRegistry } from '@waybill/contracts';
import {
  createKafka,
  ensureTopics,
  EVENTING_MIGRATIONS,
  Outbox,
  OutboxRelay,
  preparingClient,
} from '@waybill/eventing';
import { createTestDatabase, testInfrastructure } from '@waybill/testing';
import { kafkaClasspath } from '@waybill/local-infra';
import { runCommand, spawnTypeScript } from '@waybill/local-infra';
import { BenchPayloadV1, benchPayload as payload, RECORD_SIZE } from './relay-bench-contract';

const PRODUCER_RECORDS = Number(process.env.BENCH_PRODUCER_RECORDS ?? 200_000);
const RELAY_EVENTS = Number(process.env.BENCH_RELAY_EVENTS ?? 50_000);
const LATENCY_RATE = Number(process.env.BENCH_LATENCY_RATE ?? 1000);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 20);
/** e.g. BENCH_PARTS=relay to profile one part; the ratio needs both producer and relay. */
const PARTS = new Set((process.env.BENCH_PARTS ?? 'producer,relay,latency').split(','));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function producerPerformance(brokers: string[]): Promise<number> {
  const topic = `bench.producer-perf.${Date.now()}`;
  await ensureTopics(createKafka({ clientId: 'bench-admin', brokers }), [topic], 3);
  const result = await runCommand('java', [
    '-Xmx512m',
    '-cp',
    kafkaClasspath(),
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    topic,
    '--num-records',
    String(PRODUCER_RECORDS),
    '--record-size',
    String(RECORD_SIZE),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${brokers.join(',')}`,
    'acks=all',
    'enable.idempotence=true',
  ]);
  const summary = result.stdout.trim().split('\n').pop() ?? '';
  const match = /([\d.]+) records\/sec/.exec(summary);
  if (result.code !== 0 || !match) {
    throw new Error(`ProducerPerformance failed: ${result.stderr || result.stdout}`);
  }
  console.log(`ProducerPerformance: ${summary}`);
  return Number(match[1]);
}

async function withOutbox<T>(
  name: string,
  brokers: string[],
  fn: (ds: DataSource, outbox: Outbox, databaseUrl: string) => Promise<T>,
): Promise<T> {
  const database = await createTestDatabase(`bench_${name}`);
  const dataSource = await new DataSource({
    type: 'postgres',
    url: database.url,
    migrations: EVENTING_MIGRATIONS,
    migrationsRun: true,
    // As the services connect (prepared statements on by default).
    extra: { max: 20, Client: preparingClient() },
  }).initialize();
  const registry = new EventRegistry([BenchPayloadV1]);
  const prefix = `bench.${name}.${Date.now()}.`;
  const outbox = new Outbox({
    service: 'bench',
    registry,
    topicPrefix: prefix,
    validate: false,
  });
  await ensureTopics(
    createKafka({ clientId: 'bench-admin', brokers }),
    [outbox.topicFor('waybill.bench.payload.v1')],
    3,
  );
  try {
    return await fn(dataSource, outbox, database.url);
  } finally {
    await dataSource.destroy();
    await database.drop();
  }
}

async function relayThroughput(brokers: string[]): Promise<number> {
  return withOutbox('throughput', brokers, async (dataSource, outbox) => {
    for (let written = 0; written < RELAY_EVENTS; written += 1000) {
      await dataSource.transaction((manager) =>
        outbox.enqueue(
          manager,
          Array.from({ length: 1000 }, (_, i) => ({
            type: 'waybill.bench.payload.v1',
            subject: `agg-${(written + i) % 97}`,
            data: payload(),
          })),
        ),
      );
    }
    const relay = new OutboxRelay({
      dataSource,
      kafka: createKafka({ clientId: 'bench-relay', brokers }),
      pollIntervalMs: 50,
      batchSize: Number(process.env.BENCH_RELAY_BATCH ?? 1000),
    });
    const started = process.hrtime.bigint();
    relay.start();
    while (relay.publishedCount < RELAY_EVENTS) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await relay.stop();
    const t = relay.timings;
    console.log(
      `relay phases over ${t.batches} batches: select ${t.select.toFixed(0)} ms, send ${t.send.toFixed(0)} ms, mark ${t.mark.toFixed(0)} ms`,
    );
    const rate = RELAY_EVENTS / seconds;
    console.log(
      `relay: ${RELAY_EVENTS} events of ${RECORD_SIZE} B in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} events/s`,
    );
    return rate;
  });
}

async function commitToConsumerLatency(
  brokers: string[],
): Promise<{ p50: number; p99: number; count: number }> {
  return withOutbox('latency', brokers, async (dataSource, outbox, databaseUrl) => {
    const kafka = createKafka({ clientId: 'bench-latency', brokers });
    const latencies: number[] = [];
    const received = new Map<string, number>();
    const committed = new Map<string, number>();
    const record = (id: string): void => {
      const sent = committed.get(id);
      const seen = received.get(id);
      if (sent !== undefined && seen !== undefined) {
        latencies.push(seen - sent);
      }
    };
    const consumer = kafka.consumer({ groupId: `bench-latency-${Date.now()}` });
    await consumer.connect();
    // Measure only once the consumer owns its partitions: events written while the group is still
    // forming would count the rebalance, not the relay.
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.subscribe({ topics: [outbox.topicFor('waybill.bench.payload.v1')], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const id = message.headers?.ce_id?.toString() ?? '';
        received.set(id, performance.timeOrigin + performance.now());
        record(id);
      },
    });
    // The relay connects before the clock starts, as in a running service.
    const relay = new OutboxRelay({ dataSource, kafka, pollIntervalMs: 1000 });
    relay.start();
    await joined;
    await new Promise((resolve) => setTimeout(resolve, 1000));

    // The writers are another process, as a service's request handlers would be to this relay:
    // their CPU and GC do not stall the relay's or the consumer's event loop.
    const writer = spawnTypeScript(path.join(__dirname, 'relay-writer.child.ts'), [
      databaseUrl,
      outbox.topicFor('waybill.bench.payload.v1').slice(0, -'waybill.bench.events'.length),
      String(LATENCY_RATE),
      String(LATENCY_SECONDS),
    ]);
    let pendingLine = '';
    writer.stdout?.on('data', (chunk: Buffer) => {
      const lines = (pendingLine + chunk.toString()).split('\n');
      pendingLine = lines.pop() ?? '';
      for (const line of lines) {
        const [id, at] = line.split(' ');
        if (!id || !at) {
          continue;
        }
        committed.set(id, Number(at));
        record(id);
      }
    });
    let errors = '';
    writer.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => writer.on('exit', resolve));
    if (code !== 0) {
      throw new Error(`the writer process failed: ${errors}`);
    }
    const total = committed.size;
    const deadline = Date.now() + 30_000;
    while (latencies.length < total && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await relay.stop();
    await consumer.disconnect();
    const sorted = [...latencies].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), count: sorted.length };
  });
}

async function main(): Promise<void> {
  const infra = await testInfrastructure();
  const brokers = infra.kafkaBrokers;
  const kafkaRate = PARTS.has('producer') ? await producerPerformance(brokers) : NaN;
  const relayRate = PARTS.has('relay') ? await relayThroughput(brokers) : NaN;
  const latency = PARTS.has('latency')
    ? await commitToConsumerLatency(brokers)
    : { p50: NaN, p99: NaN, count: 0 };
  const ratio = relayRate / kafkaRate;
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, Kafka 3.9.1 (1 broker, KRaft), PostgreSQL local`;
  console.log(`\n### bench:relay — ${new Date().toISOString().slice(0, 10)}\nMachine: ${machine}\n`);
  console.log('| measure | value | target |\n| --- | --- | --- |');
  console.log(
    `| Kafka ProducerPerformance, 1 KB, acks=all, idempotent | ${kafkaRate.toFixed(0)} records/s | |`,
  );
  console.log(`| outbox relay, 1 KB events | ${relayRate.toFixed(0)} events/s | |`);
  console.log(`| relay / Kafka producer | ${ratio.toFixed(2)} | ≥ 0.5 |`);
  console.log(
    `| commit → consumer p50 at ${LATENCY_RATE}/s (${latency.count} events) | ${latency.p50.toFixed(1)} ms | |`,
  );
  console.log(`| commit → consumer p99 at ${LATENCY_RATE}/s | ${latency.p99.toFixed(1)} ms | ≤ 50 ms |`);
  await infra.stop?.();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
