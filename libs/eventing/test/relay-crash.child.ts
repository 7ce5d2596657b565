/**
 * Runs an outbox relay that dies by SIGKILL right after Kafka acknowledged its first batch and
 * before it could mark the rows published: the crash window the outbox must survive.
 * Usage: ts-node relay-crash.child.ts <database-url> <brokers>
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { createKafka, OutboxRelay } from '@waybill/eventing';

async function main(): Promise<void> {
  const [databaseUrl, brokers] = process.argv.slice(2);
  if (!databaseUrl || !brokers) {
    throw new Error('usage: relay-crash.child.ts <database-url> <brokers>');
  }
  const dataSource = await new DataSource({ type: 'postgres', url: databaseUrl }).initialize();
  const relay = new OutboxRelay({
    dataSource,
    kafka: createKafka({ clientId: 'crashing-relay', brokers: brokers.split(',') }),
    batchSize: 10_000,
    afterPublish: (eventIds) => {
      process.stdout.write(`published ${eventIds.length}\n`);
      process.kill(process.pid, 'SIGKILL');
    },
  });
  relay.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(2);
});
