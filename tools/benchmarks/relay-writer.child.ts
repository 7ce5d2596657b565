/**
 * bench:relay's load: one event per transaction at a steady rate, paced in 10 ms ticks, for
 * `seconds` after a one-second warm-up. Prints `<event id> <commit time, ms since the epoch>`
 * for each measured event once its COMMIT returned.
 *
 * Args: <database url> <topic prefix> <events per second> <seconds>
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EventRegistry } from '@waybill/contracts';
import { Outbox, preparingClient } from '@waybill/eventing';
import { BenchPayloadV1, benchPayload } from './relay-bench-contract';

async function main(): Promise<void> {
  const [url, topicPrefix, rateText, secondsText] = process.argv.slice(2);
  const rate = Number(rateText);
  const seconds = Number(secondsText);
  const dataSource = await new DataSource({
    type: 'postgres',
    url,
    extra: { max: 20, Client: preparingClient() },
  }).initialize();
  const outbox = new Outbox({
    service: 'bench',
    registry: new EventRegistry([BenchPayloadV1]),
    topicPrefix,
    validate: false,
  });
  const perTick = rate / 100;
  const warmupTicks = 100;
  const start = performance.now();
  const writes: Promise<void>[] = [];
  let out = '';
  for (let tick = 0; (tick - warmupTicks) * perTick < rate * seconds; tick += 1) {
    const measured = tick >= warmupTicks;
    const wait = start + tick * 10 - performance.now();
    if (wait > 0) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    for (let i = 0; i < perTick; i += 1) {
      const id = randomUUID();
      writes.push(
        dataSource
          .transaction((manager) =>
            outbox.enqueue(manager, {
              id,
              type: 'waybill.bench.payload.v1',
              subject: `agg-${i}`,
              data: benchPayload(),
            }),
          )
          .then(() => {
            if (measured) {
              out += `${id} ${performance.timeOrigin + performance.now()}\n`;
            }
          }),
      );
    }
    if (out) {
      process.stdout.write(out);
      out = '';
    }
  }
  await Promise.all(writes);
  process.stdout.write(out);
  await dataSource.destroy();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
