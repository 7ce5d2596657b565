/**
 * `npm run bench:webhooks` — carrier pushes through logistics' one webhook ingress, the service in
 * its own process (as deployed) on its own database and the real Kafka.
 *
 * Two kinds of push, each BENCH_WEBHOOKS_PUSHES of them with BENCH_WEBHOOKS_CONCURRENCY in flight,
 * signed as the carrier signs them (the digests computed by the fakes' own code):
 * - ZTO: one event per push (form fields `data`, `data_digest`, `msg_type`, `company_id`), five
 *   pushes per parcel (GOT, DEPARTURE, ARRIVAL, DISPATCH, SIGNED) in order;
 * - Kuaidi100: the whole trace per push (`param`, `sign`), BENCH_WEBHOOKS_CHECKPOINTS checkpoints
 *   each, one push per parcel: every checkpoint is new, the costliest case.
 * Shipments are inserted straight into the service's database beforehand (booking is not measured).
 * Printed per kind: pushes answered per second (first POST → last answer), pushes applied per second
 * (first POST → the inbox drained), answer p50/p99, and the service's CPU per push (/proc), with a
 * check that every parcel reached the status its pushes say. Prints a Markdown block for BENCHMARKS.md.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Client } from 'pg';
import { testInfrastructure, waitFor } from '@waybill/testing';
import { FakeKuaidi100, FakeZto } from '@waybill/testing/parties';
import {
  cpuMsOf,
  machineBusyMs,
  machineLine,
  percentile,
  RunningService,
  sha256Hex,
  startBenchService,
  stopBenchService,
} from './bench-processes';

const PUSHES = Number(process.env.BENCH_WEBHOOKS_PUSHES ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_WEBHOOKS_CONCURRENCY ?? 16);
const CHECKPOINTS = Number(process.env.BENCH_WEBHOOKS_CHECKPOINTS ?? 30);
const ZTO_ACTIONS = ['GOT', 'DEPARTURE', 'ARRIVAL', 'DISPATCH', 'SIGNED'] as const;
const ADMIN_KEY = `bench_${randomBytes(16).toString('hex')}`;
const ZTO_APP_KEY = 'bench-zto-app';
const ZTO_APP_SECRET = `zto-${randomBytes(12).toString('hex')}`;
const KUAIDI100_SALT = `salt${randomBytes(8).toString('hex')}`;

/** Asia/Shanghai wall clock (`YYYY-MM-DD HH:mm:ss`), as Chinese carriers write times. */
function chinaTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

interface Push {
  readonly body: string;
}

interface KindResult {
  readonly kind: string;
  readonly pushes: number;
  readonly answeredPerSecond: number;
  readonly appliedPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuMsPerPush: number;
  readonly machineMsPerPush: number;
  readonly parcelsAtFinalStatus: number;
  readonly parcels: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });

function postForm(url: URL, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function ztoPushes(trackingNumbers: readonly string[]): Push[] {
  const start = Date.now() - 3600_000;
  const pushes: Push[] = [];
  // Parcel by parcel in order, so each push is one step forward for its parcel.
  ZTO_ACTIONS.forEach((action, step) => {
    for (const billCode of trackingNumbers) {
      const data = JSON.stringify({
        billCode,
        action,
        actionTime: chinaTime(new Date(start + step * 60_000)),
        desc: `【上海市】快件 ${action}`,
        city: '上海市',
      });
      pushes.push({
        body: new URLSearchParams({
          data,
          data_digest: FakeZto.digest(data, ZTO_APP_SECRET),
          msg_type: 'Traces',
          company_id: ZTO_APP_KEY,
        }).toString(),
      });
    }
  });
  return pushes;
}

function kuaidi100Pushes(trackingNumbers: readonly string[]): Push[] {
  const start = Date.now() - 24 * 3600_000;
  return trackingNumbers.map((number) => {
    // Newest first, the last one signed for (state 3).
    const data = Array.from({ length: CHECKPOINTS }, (_, index) => {
      const time = chinaTime(new Date(start + (CHECKPOINTS - 1 - index) * 600_000));
      const last = index === 0;
      return {
        context: last ? '快件已签收，签收人：本人' : `【上海转运中心】快件已到达，第 ${CHECKPOINTS - index} 站`,
        time,
        ftime: time,
        status: last ? '签收' : '在途',
        statusCode: last ? '301' : '0',
        areaName: '上海市',
      };
    });
    const param = JSON.stringify({
      status: 'polling',
      billstatus: '',
      message: '',
      autoCheck: '0',
      comOld: '',
      comNew: '',
      lastResult: {
        message: 'ok',
        state: '3',
        status: '200',
        condition: 'F00',
        ischeck: '1',
        com: 'zhongtong',
        nu: number,
        data,
      },
    });
    return { body: new URLSearchParams({ param, sign: FakeKuaidi100.sign(param, KUAIDI100_SALT) }).toString() };
  });
}

async function seedShipments(db: Client, carrier: string, count: number): Promise<string[]> {
  const numbers = Array.from({ length: count }, () => `75${randomBytes(6).readUIntBE(0, 6)}`);
  for (let offset = 0; offset < numbers.length; offset += 500) {
    const chunk = numbers.slice(offset, offset + 500);
    await db.query(
      `INSERT INTO shipments (id, order_id, storefront_id, carrier, tracking_number, status, status_occurred_at,
         weight_grams, destination_country)
       SELECT gen_random_uuid(), gen_random_uuid(), 'bench', $1, number, 'label_created', now(), 500, 'CN'
       FROM unnest($2::text[]) AS number`,
      [carrier, chunk],
    );
  }
  return numbers;
}

async function runKind(
  service: RunningService,
  db: Client,
  kind: 'zto' | 'kuaidi100',
  trackingNumbers: readonly string[],
  pushes: readonly Push[],
): Promise<KindResult> {
  const url = new URL(`${service.url}/v1/webhooks/carriers/${kind}`);
  const latencies: number[] = [];
  const failures: string[] = [];
  const cpuBefore = cpuMsOf(service.child.pid);
  const machineBefore = machineBusyMs();
  const start = performance.now();
  let next = 0;
  async function worker(): Promise<void> {
    for (let index = next++; index < pushes.length; index = next++) {
      const sent = performance.now();
      const answer = await postForm(url, pushes[index].body);
      latencies.push(performance.now() - sent);
      if (answer.status !== 200) {
        failures.push(`${answer.status} ${answer.text.slice(0, 200)}`);
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
  const answered = performance.now();
  await waitFor(
    async () =>
      Number(
        (
          await db.query<{ pending: string }>(
            `SELECT count(*) AS pending FROM webhook_inbox WHERE source = $1 AND processed_at IS NULL`,
            [kind],
          )
        ).rows[0]?.pending,
      ) === 0,
    { timeoutMs: 600_000, intervalMs: 50, description: `the ${kind} pushes to be applied` },
  );
  const applied = performance.now();
  const cpu = cpuMsOf(service.child.pid) - cpuBefore;
  const machine = machineBusyMs() - machineBefore;
  if (failures.length > 0) {
    throw new Error(`${failures.length} ${kind} pushes were refused, e.g. ${failures[0]}`);
  }
  const delivered = await db.query<{ delivered: string }>(
    `SELECT count(*) AS delivered FROM shipments WHERE tracking_number = ANY($1) AND status = 'delivered'`,
    [trackingNumbers],
  );
  latencies.sort((a, b) => a - b);
  return {
    kind,
    pushes: pushes.length,
    answeredPerSecond: (pushes.length * 1000) / (answered - start),
    appliedPerSecond: (pushes.length * 1000) / (applied - start),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMsPerPush: cpu / pushes.length,
    machineMsPerPush: machine / pushes.length,
    parcelsAtFinalStatus: Number(delivered.rows[0]?.delivered),
    parcels: trackingNumbers.length,
  };
}

async function main(): Promise<void> {
  const infra = await testInfrastructure();
  const zto = await FakeZto.start({ appKey: ZTO_APP_KEY, appSecret: ZTO_APP_SECRET });
  const kuaidi100 = await FakeKuaidi100.start();
  let service: RunningService | undefined;
  try {
    service = await startBenchService('logistics', {
      brokers: infra.kafkaBrokers,
      topicPrefix: `bench.webhooks.${Date.now()}.`,
      apiKeys: JSON.stringify([{ sha256: sha256Hex(ADMIN_KEY), principal: 'admin', scopes: [] }]),
      env: {
        ...zto.env(),
        ...kuaidi100.env(),
        LOGISTICS_KUAIDI100_SALT: KUAIDI100_SALT,
        LOGISTICS_KUAIDI100_TRACK: 'zto',
        LOGISTICS_DEFAULT_CARRIER: 'zto',
        LOGISTICS_WEBHOOK_MAX_EVENT_AGE_SECONDS: String(30 * 24 * 3600),
      },
    });
    const connected = new Client({ connectionString: service.database.url });
    await connected.connect();
    try {
      const ztoParcels = await seedShipments(connected, 'zto', Math.ceil(PUSHES / ZTO_ACTIONS.length));
      const ztoResult = await runKind(service, connected, 'zto', ztoParcels, ztoPushes(ztoParcels).slice(0, PUSHES));
      const k100Parcels = await seedShipments(connected, 'zto', PUSHES);
      const k100Result = await runKind(service, connected, 'kuaidi100', k100Parcels, kuaidi100Pushes(k100Parcels));

      console.log(`\n### bench:webhooks — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
      console.log(`Machine: ${machineLine()}; ${CONCURRENCY} pushes in flight\n`);
      console.log(
        '| push | pushes | answered/s | applied/s | answer p50 / p99 | logistics CPU per push | machine CPU per push | parcels delivered |',
      );
      console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
      for (const result of [ztoResult, k100Result]) {
        const label =
          result.kind === 'zto' ? 'ZTO, one event' : `Kuaidi100, full trace of ${CHECKPOINTS} checkpoints`;
        console.log(
          `| ${label} | ${result.pushes} | ${result.answeredPerSecond.toFixed(0)} | ${result.appliedPerSecond.toFixed(0)} | ${result.p50.toFixed(1)} / ${result.p99.toFixed(1)} ms | ${result.cpuMsPerPush.toFixed(2)} ms | ${result.machineMsPerPush.toFixed(2)} ms | ${result.parcelsAtFinalStatus}/${result.parcels} |`,
        );
      }
    } finally {
      await connected.end();
    }
  } finally {
    if (service) {
      await stopBenchService(service).catch(() => undefined);
    }
    await zto.stop();
    await kuaidi100.stop();
    await infra.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
