/**
 * A service's consumer in a process of its own, for a test whose message kills it: starts the
 * test app's handlers on the given database and topics and runs until killed (or until a handler
 * exits the process). Usage: ts-node poison-exit.child.ts <database-url> <brokers> <topic-prefix>
 */
import 'reflect-metadata';
import { startConsumerApp } from './test-app';

async function main(): Promise<void> {
  const [databaseUrl, brokers, topicPrefix] = process.argv.slice(2);
  if (!databaseUrl || !brokers || !topicPrefix) {
    throw new Error('usage: poison-exit.child.ts <database-url> <brokers> <topic-prefix>');
  }
  await startConsumerApp(databaseUrl, brokers.split(','), topicPrefix, { sessionTimeoutMs: 6_000 });
  process.stdout.write('consuming\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(2);
});
