/**
 * Local Apache Kafka without Docker.
 *
 *   npm run kafka:start [-- --brokers 3] [--base-port 9092] [--name local] [--heap 512] [--fresh]
 *   npm run kafka:status [-- --name local]
 *   npm run kafka:stop [-- --name local]
 *
 * Brokers run detached (they outlive this command); data, logs and pid files live under
 * `~/.cache/waybill/kafka-clusters/<name>` (or $WAYBILL_CACHE_DIR).
 */
import {
  kafkaAnswers,
  kafkaStatus,
  listKafkaClusters,
  startKafkaCluster,
  stopKafkaCluster,
  type KafkaClusterStatus,
} from '../libs/local-infra/src/kafka-runtime';

interface CliOptions {
  command: string;
  name: string;
  brokers?: number;
  basePort?: number;
  heapMb?: number;
  dataDir?: string;
  fresh: boolean;
}

const USAGE = `usage: ts-node scripts/kafka.ts start|stop|status [--name local] [--brokers N] [--base-port 9092] [--heap MB] [--data-dir DIR] [--fresh]`;

function parseArgs(argv: string[]): CliOptions {
  const [command = '', ...rest] = argv;
  const options: CliOptions = { command, name: 'local', fresh: false };
  const number = (flag: string, value: string | undefined): number => {
    const parsed = Number(value);
    if (value === undefined || !Number.isInteger(parsed) || parsed <= 0) {
      throw new Error(`${flag} needs a positive integer`);
    }
    return parsed;
  };
  for (let i = 0; i < rest.length; i++) {
    const [flag = '', inline] = rest[i].split('=', 2) as [string, string | undefined];
    const value = (): string | undefined => inline ?? rest[++i];
    switch (flag) {
      case '--brokers':
        options.brokers = number(flag, value());
        break;
      case '--base-port':
      case '--port':
        options.basePort = number(flag, value());
        break;
      case '--heap':
      case '--heap-mb':
        options.heapMb = number(flag, value());
        break;
      case '--name': {
        const name = value();
        if (!name) {
          throw new Error('--name needs a value');
        }
        options.name = name;
        break;
      }
      case '--data-dir': {
        const dir = value();
        if (!dir) {
          throw new Error('--data-dir needs a value');
        }
        options.dataDir = dir;
        break;
      }
      case '--fresh':
        options.fresh = true;
        break;
      case '-h':
      case '--help':
        options.command = 'help';
        break;
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  return options;
}

function printStatus(status: KafkaClusterStatus): void {
  if (status.state === 'unknown') {
    console.log(`Kafka cluster "${status.name}": not set up (never started here).`);
    return;
  }
  console.log(`Kafka cluster "${status.name}": ${status.state} — bootstrap ${status.bootstrap.join(',')}`);
  console.log(`  data: ${status.dataDir}`);
  for (const node of status.nodes) {
    const state = node.alive ? `running (pid ${node.pid})` : 'stopped';
    console.log(`  node ${node.nodeId}: port ${node.port}, controller ${node.controllerPort}: ${state}`);
  }
}

async function start(options: CliOptions): Promise<number> {
  const status = await kafkaStatus(options.name);
  const brokers = options.brokers ?? 1;
  if (status.state === 'running' && status.nodes.length === brokers) {
    console.log(
      `Kafka cluster "${options.name}" is already running: KAFKA_BROKERS=${status.bootstrap.join(',')}`,
    );
    return 0;
  }
  if (status.state === 'running' || status.state === 'partial') {
    if (status.nodes.length !== brokers) {
      console.error(
        `Kafka cluster "${options.name}" is ${status.state} with ${status.nodes.length} broker(s); run \`npm run kafka:stop\` first.`,
      );
      return 1;
    }
  } else {
    // Not ours: is something else already serving Kafka on the first port?
    const basePort = options.basePort ?? 9092;
    if (await kafkaAnswers([`localhost:${basePort}`], 3000)) {
      console.log(
        `A Kafka broker not started by this script already answers at localhost:${basePort}; leaving it alone.` +
          (brokers > 1 ? ' Pick other ports with --base-port.' : ''),
      );
      return brokers > 1 ? 1 : 0;
    }
  }
  const started = Date.now();
  console.log(`Starting Kafka cluster "${options.name}" (${brokers} broker(s))…`);
  const cluster = await startKafkaCluster({
    name: options.name,
    brokers,
    basePort: options.basePort,
    heapMb: options.heapMb,
    dataDir: options.dataDir,
    fresh: options.fresh,
    resetOnLayoutChange: true,
  });
  console.log(
    `Kafka is up in ${((Date.now() - started) / 1000).toFixed(1)} s (pids ${cluster.pids.join(', ')}).`,
  );
  console.log(`  KAFKA_BROKERS=${cluster.bootstrap.join(',')}`);
  console.log(`  data and logs: ${cluster.dataDir}`);
  console.log(
    `  stop with: npm run kafka:stop${options.name === 'local' ? '' : ` -- --name ${options.name}`}`,
  );
  return 0;
}

async function stop(options: CliOptions): Promise<number> {
  const stopped = await stopKafkaCluster(options.name, { log: (line) => console.log(line) });
  console.log(
    stopped.length > 0
      ? `Stopped Kafka cluster "${options.name}" (node ${stopped.join(', ')}).`
      : `Kafka cluster "${options.name}" is not running.`,
  );
  return 0;
}

async function status(options: CliOptions, explicitName: boolean): Promise<number> {
  const names = explicitName ? [options.name] : await listKafkaClusters();
  if (names.length === 0) {
    names.push(options.name);
  }
  for (const name of names) {
    printStatus(await kafkaStatus(name));
  }
  return 0;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const options = parseArgs(argv);
  switch (options.command) {
    case 'start':
      return start(options);
    case 'stop':
      return stop(options);
    case 'status':
      return status(
        options,
        argv.some((arg) => arg.startsWith('--name')),
      );
    case 'help':
      console.log(USAGE);
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
