import { Controller, Get, HttpCode, Inject, ServiceUnavailableException } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { Public } from '@waybill/platform';
import { KAFKA } from '../eventing.module';

interface Check {
  readonly status: 'up' | 'down';
  readonly error?: string;
}

/** Liveness says the process runs; readiness says it can do its work (database and Kafka answer). */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(KAFKA) private readonly kafka: Kafka,
  ) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'up' } {
    return { status: 'up' };
  }

  @Get('ready')
  async ready(): Promise<{ status: 'up'; checks: Record<string, Check> }> {
    const [database, kafka] = await Promise.all([
      check(() => this.dataSource.query('SELECT 1')),
      check(async () => {
        const admin = this.kafka.admin();
        await admin.connect();
        try {
          await admin.describeCluster();
        } finally {
          await admin.disconnect();
        }
      }),
    ]);
    const checks = { database, kafka };
    if (database.status === 'down' || kafka.status === 'down') {
      throw new ServiceUnavailableException({ status: 'down', checks });
    }
    return { status: 'up', checks };
  }
}

async function check(probe: () => Promise<unknown>): Promise<Check> {
  try {
    await withTimeout(probe(), 2000);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', error: (error as Error).message };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)),
    ),
  ]).finally(() => clearTimeout(timer));
}
