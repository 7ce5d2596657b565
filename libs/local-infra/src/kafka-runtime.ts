/**
 * A real Apache Kafka (KRaft) runtime without Docker: the broker jars come from Maven Central via
 * deploy/local/kafka/pom.xml and brokers run as detached JVMs. Used by scripts/kafka.ts,
 * scripts/test.ts, integration tests (multi-broker fault tests) and the benchmarks.
 *
 * Layout of a cluster named N (data dir D, default `<cache>/kafka-clusters/N`):
 *   <cache>/kafka-clusters/N.json   registry entry: the cluster layout, so any process can find D
 *   D/cluster.json                  the same layout (cluster id, ports) — kept with the data
 *   D/log4j.properties              quiet logging: WARN, plus the "started" line
 *   D/node-<id>/server.properties, data/, broker.log, kafka.pid
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  REPO_ROOT,
  canConnect,
  errorMessage,
  pidExists,
  processCommandLine,
  runCommand,
  sleep,
  stderrLogger,
  tailFile,
  waybillCacheDir,
  withDirLock,
  type Logger,
} from './common';

export { waybillCacheDir } from './common';

export const KAFKA_POM = path.join(REPO_ROOT, 'deploy', 'local', 'kafka', 'pom.xml');

// ---------------------------------------------------------------------------------------------
// Jars
// ---------------------------------------------------------------------------------------------

/** The Kafka version pinned by deploy/local/kafka/pom.xml (`<kafka.version>`). */
export function kafkaVersion(): string {
  const pom = fs.readFileSync(KAFKA_POM, 'utf8');
  const match = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(pom);
  if (!match?.[1]) {
    throw new Error(`no <kafka.version> property in ${KAFKA_POM}`);
  }
  return match[1];
}

/** `<cache>/kafka-<version>`: holds `libs/` (the jars) and the completion marker. */
export function kafkaHome(): string {
  return path.join(waybillCacheDir(), `kafka-${kafkaVersion()}`);
}

interface JarMarker {
  version: string;
  jars: Record<string, number>; // file name -> size
  completedAt: string;
}

function markerFile(home: string): string {
  return path.join(home, 'libs.complete.json');
}

function jarsComplete(home: string, version: string): boolean {
  try {
    const marker = JSON.parse(fs.readFileSync(markerFile(home), 'utf8')) as JarMarker;
    if (marker.version !== version) {
      return false;
    }
    const entries = Object.entries(marker.jars);
    if (entries.length === 0) {
      return false;
    }
    return entries.every(([name, size]) => {
      try {
        return fs.statSync(path.join(home, 'libs', name)).size === size;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

export interface EnsureKafkaJarsOptions {
  log?: Logger;
}

/**
 * Returns the directory holding Kafka's jars, downloading them with Maven first when they are
 * missing or incomplete (a marker written after a successful download tells the two apart).
 * Safe to call from several processes at once.
 */
export async function ensureKafkaJars(options: EnsureKafkaJarsOptions = {}): Promise<string> {
  const version = kafkaVersion();
  const home = kafkaHome();
  const libs = path.join(home, 'libs');
  if (jarsComplete(home, version)) {
    return libs;
  }
  const log = options.log ?? stderrLogger;
  await fsp.mkdir(home, { recursive: true });
  return withDirLock(
    path.join(home, '.download.lock'),
    async () => {
      if (jarsComplete(home, version)) {
        return libs;
      }
      log(`Fetching Apache Kafka ${version} jars with Maven into ${libs} (once; ~30 s)…`);
      // Download into a staging dir, then move the jars in one by one with rename(): a broker
      // already running from `libs` keeps its open files, and a half download never looks complete.
      const staging = path.join(home, `libs.staging-${process.pid}`);
      await fsp.rm(staging, { recursive: true, force: true });
      const result = await runCommand(
        'mvn',
        [
          '-q',
          '-B',
          '-f',
          KAFKA_POM,
          'dependency:copy-dependencies',
          `-DoutputDirectory=${staging}`,
          '-DincludeScope=runtime',
        ],
        { cwd: REPO_ROOT, timeoutMs: 15 * 60_000 },
      ).catch((error: unknown) => {
        throw new Error(`${errorMessage(error)} — Kafka's jars are fetched with Maven (mvn) and Java 17+`);
      });
      if (result.code !== 0) {
        await fsp.rm(staging, { recursive: true, force: true });
        const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-30).join('\n');
        throw new Error(`mvn dependency:copy-dependencies failed (exit ${result.code}):\n${output}`);
      }
      await fsp.mkdir(libs, { recursive: true });
      const jars: Record<string, number> = {};
      for (const name of await fsp.readdir(staging)) {
        if (!name.endsWith('.jar')) {
          continue;
        }
        const size = (await fsp.stat(path.join(staging, name))).size;
        const target = path.join(libs, name);
        const existing = await fsp.stat(target).catch(() => undefined);
        if (existing?.size !== size) {
          await fsp.rename(path.join(staging, name), target);
        }
        jars[name] = size;
      }
      await fsp.rm(staging, { recursive: true, force: true });
      if (!Object.keys(jars).some((name) => name.startsWith('kafka_2.13-'))) {
        throw new Error(`Maven finished but no kafka_2.13 jar was fetched into ${libs}`);
      }
      const marker: JarMarker = { version, jars, completedAt: new Date().toISOString() };
      await fsp.writeFile(markerFile(home), JSON.stringify(marker, null, 2));
      log(`Kafka ${version}: ${Object.keys(jars).length} jars ready.`);
      return libs;
    },
    { description: 'another process is downloading the Kafka jars' },
  );
}

/**
 * A `java -cp` value with every Kafka jar, for tools such as ProducerPerformance. Synchronous so it
 * fits in an argument list; the jars must be downloaded already (`ensureKafkaJars()`, which
 * `npm run kafka:start`, `npm test` and `startKafkaCluster` do).
 */
export function kafkaClasspath(): string {
  const home = kafkaHome();
  if (!jarsComplete(home, kafkaVersion())) {
    throw new Error(
      `Kafka's jars are not in ${path.join(home, 'libs')} yet: call ensureKafkaJars() (or npm run kafka:start) first`,
    );
  }
  return path.join(home, 'libs', '*');
}

// ---------------------------------------------------------------------------------------------
// Cluster layout, registry and process bookkeeping
// ---------------------------------------------------------------------------------------------

export interface KafkaNodeLayout {
  nodeId: number;
  host: string;
  /** PLAINTEXT listener: what clients use. */
  port: number;
  /** KRaft controller listener. */
  controllerPort: number;
  dir: string;
  configFile: string;
  logFile: string;
  pidFile: string;
}

export interface KafkaClusterLayout {
  name: string;
  version: string;
  clusterId: string;
  dataDir: string;
  host: string;
  basePort: number;
  brokers: number;
  heapMb: number;
  nodes: KafkaNodeLayout[];
}

function clustersDir(): string {
  return path.join(waybillCacheDir(), 'kafka-clusters');
}

function registryFile(name: string): string {
  return path.join(clustersDir(), `${name}.json`);
}

function validateName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    throw new Error(`invalid Kafka cluster name ${JSON.stringify(name)} (letters, digits, . _ -)`);
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await fsp.rename(tmp, file);
}

/** Kafka cluster ids are 16 random bytes in URL-safe base64 (what `kafka-storage random-uuid` prints). */
function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) {
      return id;
    }
  }
}

/** The pid of a node's broker when its pid file names a live Kafka process for that node. */
function livePid(node: KafkaNodeLayout): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(fs.readFileSync(node.pidFile, 'utf8').trim(), 10);
  } catch {
    return undefined;
  }
  if (!pidExists(pid)) {
    return undefined;
  }
  const cmdline = processCommandLine(pid);
  // Guard against pid reuse: the process must be *this* node's broker.
  if (cmdline && !(cmdline.includes('kafka.Kafka') && cmdline.includes(node.configFile))) {
    return undefined;
  }
  return pid;
}

/** Removes a pid file whose process is gone. */
function clearStalePid(node: KafkaNodeLayout): void {
  if (fs.existsSync(node.pidFile) && livePid(node) === undefined) {
    fs.rmSync(node.pidFile, { force: true });
  }
}

function nodeLogTails(nodes: readonly KafkaNodeLayout[], lines = 25): string {
  return nodes
    .map((node) => {
      const tail = tailFile(node.logFile, lines);
      return `--- node ${node.nodeId} (${node.logFile}) ---\n${tail || '(empty log)'}`;
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

const LOG4J_PROPERTIES = `# Quiet broker logging: warnings and errors, plus the line saying the server started.
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.kafka.server.KafkaServer=INFO
`;

export type KafkaConfigValue = string | number | boolean;

function serverProperties(
  layout: KafkaClusterLayout,
  node: KafkaNodeLayout,
  extra: Record<string, KafkaConfigValue>,
): string {
  const n = layout.brokers;
  const replication = Math.min(n, 3);
  const minIsr = n >= 3 ? 2 : 1;
  const voters = layout.nodes.map((v) => `${v.nodeId}@${v.host}:${v.controllerPort}`).join(',');
  const props: Record<string, KafkaConfigValue> = {
    'process.roles': 'broker,controller',
    'node.id': node.nodeId,
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://${node.host}:${node.port},CONTROLLER://${node.host}:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${node.host}:${node.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': path.join(node.dir, 'data'),
    'num.partitions': 3,
    'auto.create.topics.enable': true,
    'default.replication.factor': replication,
    'min.insync.replicas': minIsr,
    'offsets.topic.replication.factor': replication,
    'transaction.state.log.replication.factor': replication,
    'transaction.state.log.min.isr': minIsr,
    // Fewer internal partitions than the 50 defaults: creating them is most of the first
    // consumer group's latency on a small dev machine, and nothing local needs 50.
    'offsets.topic.num.partitions': 12,
    'transaction.state.log.num.partitions': 12,
    'group.initial.rebalance.delay.ms': 0,
    'num.network.threads': 2,
    'num.io.threads': 4,
    ...extra,
  };
  const lines = Object.entries(props).map(([key, value]) => `${key}=${String(value)}`);
  return `# Generated by libs/local-infra/src/kafka-runtime.ts for cluster "${layout.name}".\n${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export interface KafkaClusterOptions {
  /** Registry name; `kafkaStatus(name)` / `stopKafkaCluster(name)` find the cluster by it. Default "local". */
  name?: string;
  /** Number of combined broker+controller nodes. Default 1. */
  brokers?: number;
  /**
   * First client port. Node i (1-based) listens on basePort+i-1 for clients and on
   * basePort+brokers+i-1 for the controller quorum; 1 broker: 9092 + controller 9093. Default 9092.
   */
  basePort?: number;
  /** Default "localhost". */
  host?: string;
  /** Data, logs and pid files. Default `<cache>/kafka-clusters/<name>`. */
  dataDir?: string;
  /** JVM heap per broker (MB). Default 512 for one broker, 384 each for more. */
  heapMb?: number;
  /** Delete the existing data (the cluster must be stopped) before starting. */
  fresh?: boolean;
  /** When the stored data was made for another layout (brokers/ports): wipe it instead of failing. */
  resetOnLayoutChange?: boolean;
  /**
   * Extra JVM options for every broker, e.g. ['-XX:TieredStopAtLevel=1'] for short-lived test
   * clusters (faster start on small machines, lower peak throughput).
   */
  jvmOptions?: string[];
  /** Extra or overriding server.properties entries for every node. */
  brokerConfig?: Record<string, KafkaConfigValue>;
  /** How long to wait for the cluster to be ready. Default 60 s + 30 s per extra broker. */
  startTimeoutMs?: number;
  /** How long a broker gets after SIGTERM before SIGKILL. Default 30 s. */
  stopTimeoutMs?: number;
  log?: Logger;
}

export interface StopBrokerOptions {
  /** SIGTERM (controlled shutdown, default) or SIGKILL (a crash). */
  signal?: 'SIGTERM' | 'SIGKILL';
  timeoutMs?: number;
}

export interface KafkaClusterHandle {
  readonly name: string;
  readonly dataDir: string;
  readonly clusterId: string;
  readonly nodes: readonly KafkaNodeLayout[];
  /** `host:port` of every broker, e.g. ["localhost:9092"]. */
  readonly bootstrap: string[];
  /** Pids of the brokers running now. */
  readonly pids: number[];
  /** Starts every stopped broker (same data and ports) and waits until the cluster is ready. */
  start(): Promise<void>;
  /** Stops every broker (data kept). */
  stop(): Promise<void>;
  /** Stops one broker (node ids are 1..brokers). */
  stopBroker(nodeId: number, options?: StopBrokerOptions): Promise<void>;
  /** Starts one broker and waits until it has rejoined the cluster. */
  startBroker(nodeId: number): Promise<void>;
  /** Kills the cluster and deletes its data and registry entry. */
  destroy(): Promise<void>;
}

export type KafkaClusterState = 'running' | 'partial' | 'stopped' | 'unknown';

export interface KafkaNodeStatus {
  nodeId: number;
  port: number;
  controllerPort: number;
  pid: number | undefined;
  alive: boolean;
  logFile: string;
}

export interface KafkaClusterStatus {
  name: string;
  state: KafkaClusterState;
  dataDir?: string;
  bootstrap: string[];
  nodes: KafkaNodeStatus[];
}

function layoutFor(name: string, options: KafkaClusterOptions, clusterId: string): KafkaClusterLayout {
  const brokers = options.brokers ?? 1;
  if (!Number.isInteger(brokers) || brokers < 1 || brokers > 9) {
    throw new Error(`brokers must be 1..9, got ${brokers}`);
  }
  const basePort = options.basePort ?? 9092;
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort + 2 * brokers > 65535) {
    throw new Error(`invalid basePort ${basePort}`);
  }
  const host = options.host ?? 'localhost';
  const dataDir = path.resolve(options.dataDir ?? path.join(clustersDir(), name));
  const nodes: KafkaNodeLayout[] = [];
  for (let i = 0; i < brokers; i++) {
    const dir = path.join(dataDir, `node-${i + 1}`);
    nodes.push({
      nodeId: i + 1,
      host,
      port: basePort + i,
      controllerPort: basePort + brokers + i,
      dir,
      configFile: path.join(dir, 'server.properties'),
      logFile: path.join(dir, 'broker.log'),
      pidFile: path.join(dir, 'kafka.pid'),
    });
  }
  return {
    name,
    version: kafkaVersion(),
    clusterId,
    dataDir,
    host,
    basePort,
    brokers,
    heapMb: options.heapMb ?? (brokers === 1 ? 512 : 384),
    nodes,
  };
}

function sameShape(a: KafkaClusterLayout, b: KafkaClusterLayout): boolean {
  return a.brokers === b.brokers && a.basePort === b.basePort && a.host === b.host && a.version === b.version;
}

function describeLayout(layout: KafkaClusterLayout): string {
  return `${layout.brokers} broker(s) on ${layout.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
}

async function adminDescribe(
  bootstrap: string[],
  timeoutMs: number,
): Promise<{ brokers: number[]; controller: number | null }> {
  const kafka = new Kafka({
    clientId: 'waybill-local-infra',
    brokers: bootstrap,
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 3000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return {
      brokers: cluster.brokers.map((b) => b.nodeId).sort((x, y) => x - y),
      controller: cluster.controller,
    };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** True when a Kafka broker answers a metadata request at one of these addresses. */
export async function kafkaAnswers(bootstrap: string[], timeoutMs = 3000): Promise<boolean> {
  try {
    const reachable = await Promise.all(
      bootstrap.map((address) => {
        const [host, port] = splitHostPort(address);
        return canConnect(host, port, Math.min(timeoutMs, 1000));
      }),
    );
    if (!reachable.some(Boolean)) {
      return false;
    }
    await adminDescribe(bootstrap, timeoutMs);
    return true;
  } catch {
    return false;
  }
}

function splitHostPort(address: string): [string, number] {
  const index = address.lastIndexOf(':');
  if (index < 0) {
    throw new Error(`expected host:port, got ${address}`);
  }
  return [address.slice(0, index), Number.parseInt(address.slice(index + 1), 10)];
}

class LocalKafkaCluster implements KafkaClusterHandle {
  private readonly children = new Map<number, ChildProcess>();
  private readonly exits = new Map<number, string>();

  constructor(
    private readonly layout: KafkaClusterLayout,
    private readonly classpath: string,
    private readonly jvmOptions: readonly string[],
    private readonly startTimeoutMs: number,
    private readonly stopTimeoutMs: number,
    private readonly log: Logger,
  ) {}

  get name(): string {
    return this.layout.name;
  }
  get dataDir(): string {
    return this.layout.dataDir;
  }
  get clusterId(): string {
    return this.layout.clusterId;
  }
  get nodes(): readonly KafkaNodeLayout[] {
    return this.layout.nodes;
  }
  get bootstrap(): string[] {
    return this.layout.nodes.map((n) => `${n.host}:${n.port}`);
  }
  get pids(): number[] {
    return this.layout.nodes.map(livePid).filter((pid): pid is number => pid !== undefined);
  }

  async start(): Promise<void> {
    const toStart = this.layout.nodes.filter((node) => livePid(node) === undefined);
    await this.checkPortsFree(toStart);
    try {
      for (const node of toStart) {
        await this.spawnNode(node);
      }
      await this.waitReady(
        this.layout.nodes.map((n) => n.nodeId),
        this.startTimeoutMs,
      );
    } catch (error) {
      // Leave nothing half-started behind.
      await Promise.all(toStart.map((node) => this.stopNode(node, 'SIGKILL', 5000)));
      throw error;
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.layout.nodes.map((node) => this.stopNode(node, 'SIGTERM', this.stopTimeoutMs)));
  }

  async stopBroker(nodeId: number, options: StopBrokerOptions = {}): Promise<void> {
    await this.stopNode(
      this.node(nodeId),
      options.signal ?? 'SIGTERM',
      options.timeoutMs ?? this.stopTimeoutMs,
    );
  }

  async startBroker(nodeId: number): Promise<void> {
    const node = this.node(nodeId);
    if (livePid(node) !== undefined) {
      return;
    }
    await this.checkPortsFree([node]);
    await this.spawnNode(node);
    const live = this.layout.nodes.filter((n) => livePid(n) !== undefined).map((n) => n.nodeId);
    await this.waitReady(live, this.startTimeoutMs);
  }

  async destroy(): Promise<void> {
    // The data is about to be deleted: no need for a controlled shutdown.
    await Promise.all(this.layout.nodes.map((node) => this.stopNode(node, 'SIGKILL', 10_000)));
    await wipeClusterData(this.layout.dataDir, true);
    const entry = await readJson<KafkaClusterLayout>(registryFile(this.layout.name));
    if (entry?.dataDir === this.layout.dataDir) {
      await fsp.rm(registryFile(this.layout.name), { force: true });
    }
  }

  private node(nodeId: number): KafkaNodeLayout {
    const node = this.layout.nodes.find((n) => n.nodeId === nodeId);
    if (!node) {
      throw new Error(`cluster "${this.name}" has no node ${nodeId} (nodes are 1..${this.layout.brokers})`);
    }
    return node;
  }

  private async checkPortsFree(nodes: readonly KafkaNodeLayout[]): Promise<void> {
    for (const node of nodes) {
      for (const port of [node.port, node.controllerPort]) {
        if (await canConnect(node.host, port, 500)) {
          throw new Error(
            `cannot start Kafka cluster "${this.name}" node ${node.nodeId}: ${node.host}:${port} is already in use by another process`,
          );
        }
      }
    }
  }

  private async spawnNode(node: KafkaNodeLayout): Promise<void> {
    const heap = `${this.layout.heapMb}m`;
    const args = [
      `-Xms${heap}`,
      `-Xmx${heap}`,
      ...(this.jvmOptions.some((o) => /^-XX:\+Use\w+GC$/.test(o))
        ? []
        : ['-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20']),
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      ...this.jvmOptions,
      `-Dlog4j.configuration=file:${path.join(this.layout.dataDir, 'log4j.properties')}`,
      `-Dkafka.logs.dir=${node.dir}`,
      '-cp',
      this.classpath,
      'kafka.Kafka',
      node.configFile,
    ];
    const out = fs.openSync(node.logFile, 'a');
    fs.writeSync(
      out,
      `\n===== ${new Date().toISOString()} starting node ${node.nodeId} (cluster ${this.name}) =====\n`,
    );
    let child: ChildProcess;
    try {
      child = spawn('java', args, { cwd: node.dir, detached: true, stdio: ['ignore', out, out] });
    } finally {
      fs.closeSync(out);
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(new Error(`cannot start java: ${error.message}`)));
    });
    if (child.pid === undefined) {
      throw new Error(`java did not start for node ${node.nodeId}`);
    }
    fs.writeFileSync(node.pidFile, `${child.pid}\n`);
    this.exits.delete(node.nodeId);
    this.children.set(node.nodeId, child);
    child.once('exit', (code, signal) => {
      // Only the current process of this node counts: a stopped predecessor may report late.
      if (this.children.get(node.nodeId) !== child) {
        return;
      }
      this.children.delete(node.nodeId);
      this.exits.set(node.nodeId, signal ? `was killed by ${signal}` : `exited with code ${code}`);
    });
    // Detached and unreferenced: the brokers outlive this process (scripts/kafka.ts start).
    child.unref();
  }

  private async waitReady(expected: number[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const nodes = this.layout.nodes.filter((n) => expected.includes(n.nodeId));
    let lastProblem = 'brokers not listening yet';
    while (Date.now() < deadline) {
      for (const node of nodes) {
        const exit = this.exits.get(node.nodeId);
        if (exit !== undefined || livePid(node) === undefined) {
          throw new Error(
            `Kafka node ${node.nodeId} of cluster "${this.name}" ${exit ?? 'is not running'} during startup.\n${nodeLogTails([node], 40)}`,
          );
        }
      }
      const listening = await Promise.all(nodes.map((n) => canConnect(n.host, n.port, 500)));
      if (listening.every(Boolean)) {
        try {
          const bootstrap = nodes.map((n) => `${n.host}:${n.port}`);
          const described = await adminDescribe(bootstrap, 5000);
          const missing = expected.filter((id) => !described.brokers.includes(id));
          if (missing.length === 0 && described.controller !== null) {
            return;
          }
          lastProblem = `metadata lists brokers [${described.brokers.join(',')}], waiting for [${missing.join(',')}]`;
        } catch (error) {
          lastProblem = `admin describeCluster failed: ${errorMessage(error)}`;
        }
      } else {
        lastProblem = `not listening yet: ${nodes
          .filter((_, i) => !listening[i])
          .map((n) => `${n.host}:${n.port}`)
          .join(', ')}`;
      }
      await sleep(300);
    }
    throw new Error(
      `Kafka cluster "${this.name}" was not ready after ${timeoutMs} ms (${lastProblem}).\n${nodeLogTails(nodes)}`,
    );
  }

  private async stopNode(
    node: KafkaNodeLayout,
    signal: 'SIGTERM' | 'SIGKILL',
    timeoutMs: number,
  ): Promise<void> {
    await stopNodeProcess(node, signal, timeoutMs, this.log);
    this.children.delete(node.nodeId);
  }
}

/**
 * Deletes what this runtime keeps in a data dir (node-* dirs, cluster.json, log4j.properties) and
 * nothing else, so a data dir pointed at a shared folder by mistake loses nothing of its own.
 * With `removeDir`, the dir itself goes too when that leaves it empty.
 */
async function wipeClusterData(dataDir: string, removeDir: boolean): Promise<void> {
  const entries = await fsp.readdir(dataDir).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((entry) => /^node-\d+$/.test(entry) || entry === 'cluster.json' || entry === 'log4j.properties')
      .map((entry) => fsp.rm(path.join(dataDir, entry), { recursive: true, force: true })),
  );
  if (removeDir) {
    await fsp.rmdir(dataDir).catch(() => undefined);
  }
}

async function stopNodeProcess(
  node: KafkaNodeLayout,
  signal: 'SIGTERM' | 'SIGKILL',
  timeoutMs: number,
  log: Logger,
): Promise<boolean> {
  const pid = livePid(node);
  if (pid === undefined) {
    fs.rmSync(node.pidFile, { force: true });
    return false;
  }
  const kill = (sig: NodeJS.Signals): void => {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  };
  kill(signal);
  const deadline = Date.now() + timeoutMs;
  while (pidExists(pid) && Date.now() < deadline) {
    await sleep(100);
  }
  if (pidExists(pid)) {
    log(`Kafka node ${node.nodeId} (pid ${pid}) did not stop within ${timeoutMs} ms; sending SIGKILL`);
    kill('SIGKILL');
    const killDeadline = Date.now() + 10_000;
    while (pidExists(pid) && Date.now() < killDeadline) {
      await sleep(100);
    }
  }
  fs.rmSync(node.pidFile, { force: true });
  return true;
}

/**
 * Starts (or adopts, when already running with the same layout) a local KRaft cluster and waits
 * until every broker accepts connections and appears in the cluster metadata.
 */
export async function startKafkaCluster(options: KafkaClusterOptions = {}): Promise<KafkaClusterHandle> {
  const name = options.name ?? 'local';
  validateName(name);
  const log = options.log ?? stderrLogger;
  const jars = await ensureKafkaJars({ log });
  const wanted = layoutFor(name, options, '');

  // Another cluster registered under this name, elsewhere, and running: refuse.
  const registered = await readJson<KafkaClusterLayout>(registryFile(name));
  if (
    registered &&
    registered.dataDir !== wanted.dataDir &&
    registered.nodes.some((n) => livePid(n) !== undefined)
  ) {
    throw new Error(`Kafka cluster "${name}" is already running from ${registered.dataDir}; stop it first`);
  }

  const clusterFile = path.join(wanted.dataDir, 'cluster.json');
  let previous = await readJson<KafkaClusterLayout>(clusterFile);
  if (previous) {
    const running = previous.nodes.filter((n) => livePid(n) !== undefined);
    if (running.length > 0 && !sameShape(previous, wanted)) {
      throw new Error(
        `Kafka cluster "${name}" is running with ${describeLayout(previous)}; stop it before starting it with ${describeLayout(wanted)}`,
      );
    }
    if (running.length > 0 && options.fresh) {
      throw new Error(`Kafka cluster "${name}" is running; stop it before starting it fresh`);
    }
    if (options.fresh || !sameShape(previous, wanted)) {
      if (!options.fresh && !options.resetOnLayoutChange) {
        throw new Error(
          `the data in ${wanted.dataDir} belongs to a cluster with ${describeLayout(previous)}; ` +
            `start it that way, or wipe it (fresh / resetOnLayoutChange)`,
        );
      }
      if (!options.fresh) {
        log(`Kafka cluster "${name}": layout changed, discarding its old data in ${wanted.dataDir}`);
      }
      await wipeClusterData(wanted.dataDir, false);
      previous = undefined;
    }
  } else if (options.fresh) {
    await wipeClusterData(wanted.dataDir, false);
  }

  const layout: KafkaClusterLayout = { ...wanted, clusterId: previous?.clusterId ?? randomClusterId() };
  await fsp.mkdir(layout.dataDir, { recursive: true });
  await fsp.writeFile(path.join(layout.dataDir, 'log4j.properties'), LOG4J_PROPERTIES);
  for (const node of layout.nodes) {
    await fsp.mkdir(node.dir, { recursive: true });
    await fsp.writeFile(node.configFile, serverProperties(layout, node, options.brokerConfig ?? {}));
    clearStalePid(node);
  }
  await writeJsonAtomic(clusterFile, layout);
  await writeJsonAtomic(registryFile(name), layout);

  // Format the storage of nodes that were never formatted (in parallel: one JVM each).
  const classpath = path.join(jars, '*');
  await Promise.all(
    layout.nodes
      .filter((node) => !fs.existsSync(path.join(node.dir, 'data', 'meta.properties')))
      .map(async (node) => {
        const result = await runCommand(
          'java',
          [
            '-Xmx256m',
            // A one-shot tool: C1 only and the serial collector start it fastest.
            '-XX:TieredStopAtLevel=1',
            '-XX:+UseSerialGC',
            `-Dlog4j.configuration=file:${path.join(layout.dataDir, 'log4j.properties')}`,
            '-cp',
            classpath,
            'kafka.tools.StorageTool',
            'format',
            '--ignore-formatted',
            '-t',
            layout.clusterId,
            '-c',
            node.configFile,
          ],
          { cwd: node.dir, timeoutMs: 120_000 },
        );
        if (result.code !== 0) {
          throw new Error(
            `kafka-storage format failed for node ${node.nodeId} (exit ${result.code}):\n${result.stdout}${result.stderr}`,
          );
        }
      }),
  );

  const cluster = new LocalKafkaCluster(
    layout,
    classpath,
    options.jvmOptions ?? [],
    options.startTimeoutMs ?? 60_000 + 30_000 * (layout.brokers - 1),
    options.stopTimeoutMs ?? 30_000,
    log,
  );
  await cluster.start();
  return cluster;
}

/** Names of the clusters in the registry. */
export async function listKafkaClusters(): Promise<string[]> {
  const entries = await fsp.readdir(clustersDir()).catch(() => [] as string[]);
  return entries.filter((e) => e.endsWith('.json')).map((e) => e.slice(0, -'.json'.length));
}

/** State of a registered cluster from its pid files (stale pid files are removed). */
export async function kafkaStatus(name = 'local'): Promise<KafkaClusterStatus> {
  validateName(name);
  const layout = await readJson<KafkaClusterLayout>(registryFile(name));
  if (!layout) {
    return { name, state: 'unknown', bootstrap: [], nodes: [] };
  }
  const nodes = layout.nodes.map((node): KafkaNodeStatus => {
    clearStalePid(node);
    const pid = livePid(node);
    return {
      nodeId: node.nodeId,
      port: node.port,
      controllerPort: node.controllerPort,
      pid,
      alive: pid !== undefined,
      logFile: node.logFile,
    };
  });
  const alive = nodes.filter((n) => n.alive).length;
  const state: KafkaClusterState = alive === 0 ? 'stopped' : alive === nodes.length ? 'running' : 'partial';
  if (state === 'stopped' && !fs.existsSync(layout.dataDir)) {
    // Its data is gone (e.g. a test's temp dir): forget it.
    await fsp.rm(registryFile(name), { force: true });
    return { name, state: 'unknown', bootstrap: [], nodes: [] };
  }
  return {
    name,
    state,
    dataDir: layout.dataDir,
    bootstrap: layout.nodes.map((n) => `${n.host}:${n.port}`),
    nodes,
  };
}

/**
 * Stops a registered cluster from its pid files (SIGTERM, SIGKILL after `timeoutMs`); works from
 * any process. Returns the node ids that were running.
 */
export async function stopKafkaCluster(
  name = 'local',
  options: { timeoutMs?: number; log?: Logger } = {},
): Promise<number[]> {
  validateName(name);
  const layout = await readJson<KafkaClusterLayout>(registryFile(name));
  if (!layout) {
    return [];
  }
  const log = options.log ?? stderrLogger;
  const stopped = await Promise.all(
    layout.nodes.map(async (node) =>
      (await stopNodeProcess(node, 'SIGTERM', options.timeoutMs ?? 30_000, log)) ? node.nodeId : 0,
    ),
  );
  return stopped.filter((id) => id !== 0);
}

/**
 * Kills a registered cluster (SIGKILL: its data is going anyway) and deletes its data dir and
 * registry entry. Tests call it with their cluster's name before starting, to clear what an
 * interrupted earlier run left behind. Returns false when no such cluster was registered.
 */
export async function destroyKafkaCluster(name: string, options: { log?: Logger } = {}): Promise<boolean> {
  validateName(name);
  const layout = await readJson<KafkaClusterLayout>(registryFile(name));
  if (!layout) {
    return false;
  }
  const log = options.log ?? stderrLogger;
  await Promise.all(layout.nodes.map((node) => stopNodeProcess(node, 'SIGKILL', 10_000, log)));
  await wipeClusterData(layout.dataDir, true);
  await fsp.rm(registryFile(name), { force: true });
  return true;
}
