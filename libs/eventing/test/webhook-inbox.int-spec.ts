import { INestApplication, Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { eventRegistry } from '@waybill/contracts';
import { Metrics } from '@waybill/platform';
import { createTestDatabase, TestDatabase, waitFor } from '@waybill/testing';
import {
  Outbox,
  StoredWebhook,
  UnitOfWork,
  UnitsOfWork,
  WEBHOOK_INBOX_MIGRATIONS,
  WebhookHandler,
  WebhookInbox,
  webhookInboxProviders,
} from '@waybill/eventing';

/** Applies a webhook by recording its body; fails as many times as the body asks first. */
@Injectable()
class RecordingHandler implements WebhookHandler {
  readonly calls: string[] = [];

  async handle({ manager }: UnitOfWork, webhook: StoredWebhook): Promise<void> {
    this.calls.push(webhook.externalId);
    const { failTimes = 0 } = JSON.parse(webhook.rawBody.toString('utf8')) as { failTimes?: number };
    // The effect is written before the failure, so a rollback that did not happen would show.
    await manager.query(`INSERT INTO webhook_effects (external_id) VALUES ($1)`, [webhook.externalId]);
    if (webhook.attempts < failTimes) {
      throw new Error(`failing on attempt ${webhook.attempts + 1}`);
    }
  }
}

describe('webhook inbox (real Postgres)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let inbox: WebhookInbox;
  let handler: RecordingHandler;
  let dataSource: DataSource;
  const metrics = new Metrics('webhook-it', { processMetrics: false });
  /** The `waybill_webhooks_failing` sample for `source` in a scrape, or undefined when there is none. */
  const failing = async (source: string): Promise<number | undefined> => {
    const { body } = await metrics.exposition();
    const line = body
      .split('\n')
      .find((l) => l.startsWith('waybill_webhooks_failing{') && l.includes(`source="${source}"`));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };

  const effects = async (externalId: string): Promise<number> =>
    Number(
      (
        await dataSource.query<{ n: string }[]>(
          `SELECT count(*) AS n FROM webhook_effects WHERE external_id = $1`,
          [externalId],
        )
      )[0].n,
    );
  const row = async (id: string) =>
    (
      await dataSource.query<{ processed_at: Date | null; attempts: number; last_error: string | null }[]>(
        `SELECT processed_at, attempts, last_error FROM webhook_inbox WHERE id = $1`,
        [id],
      )
    )[0];

  beforeAll(async () => {
    database = await createTestDatabase('evt_webhooks');
    const module = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: database.url,
          migrations: [...WEBHOOK_INBOX_MIGRATIONS],
          migrationsRun: true,
        }),
      ],
      providers: [
        ...webhookInboxProviders(RecordingHandler, { pollIntervalMs: 50, maxBackoffMs: 100 }),
        { provide: Metrics, useValue: metrics },
        { provide: Outbox, useValue: new Outbox({ service: 'webhook-it', registry: eventRegistry }) },
        UnitsOfWork,
      ],
    }).compile();
    app = module.createNestApplication();
    await app.init();
    dataSource = app.get(DataSource);
    await dataSource.query(`CREATE TABLE webhook_effects (external_id text NOT NULL)`);
    inbox = app.get(WebhookInbox);
    handler = app.get(RecordingHandler);
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('processes a stored webhook once, and a second delivery of the same event id is a duplicate', async () => {
    const webhook = {
      source: 'acme',
      externalId: 'evt_1',
      eventType: 'thing.happened',
      rawBody: Buffer.from('{}'),
    };
    const first = await inbox.store(webhook);
    const second = await inbox.store({ ...webhook, rawBody: Buffer.from('{"changed":true}') });
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ id: first.id, duplicate: true });
    await waitFor(async () => (await row(first.id)).processed_at !== null);
    expect(await effects('evt_1')).toBe(1);
    // The stored copy is the first delivery's bytes, not the duplicate's.
    expect((await inbox.find(first.id))?.rawBody.toString()).toBe('{}');
  });

  it('the same event id from another source is a different webhook', async () => {
    const stored = await inbox.store({
      source: 'other',
      externalId: 'evt_1',
      eventType: 't',
      rawBody: Buffer.from('{}'),
    });
    expect(stored.duplicate).toBe(false);
    await waitFor(async () => (await row(stored.id)).processed_at !== null);
    expect(await effects('evt_1')).toBe(2);
  });

  it('a failing handler is retried with its effect rolled back each time, until it succeeds', async () => {
    const { id } = await inbox.store({
      source: 'acme',
      externalId: 'evt_flaky',
      eventType: 't',
      rawBody: Buffer.from('{"failTimes":2}'),
    });
    await waitFor(async () => (await row(id)).processed_at !== null, { timeoutMs: 15_000 });
    expect(handler.calls.filter((call) => call === 'evt_flaky')).toHaveLength(3);
    expect(await effects('evt_flaky')).toBe(1);
    expect(await row(id)).toMatchObject({ attempts: 3, last_error: null });
  });

  it('a webhook that keeps failing shows in waybill_webhooks_failing until it succeeds', async () => {
    const { id } = await inbox.store({
      source: 'failing-co',
      externalId: 'evt_stubborn',
      eventType: 't',
      rawBody: Buffer.from('{"failTimes":6}'),
    });
    await waitFor(async () => (await failing('failing-co')) === 1, {
      timeoutMs: 15_000,
      description: 'the failing webhook counted',
    });
    await waitFor(async () => (await row(id)).processed_at !== null, { timeoutMs: 15_000 });
    expect(await failing('failing-co')).toBeUndefined();
  });

  it('replay processes a stored webhook again, only under its own source', async () => {
    const { id } = await inbox.store({
      source: 'acme',
      externalId: 'evt_replay',
      eventType: 't',
      rawBody: Buffer.from('{}'),
    });
    await waitFor(async () => (await row(id)).processed_at !== null);
    expect(await inbox.replay('other', id)).toBeUndefined();
    expect(await inbox.replay('acme', 'not-a-number')).toBeUndefined();
    const replayed = await inbox.replay('acme', id);
    expect(replayed?.externalId).toBe('evt_replay');
    await waitFor(async () => (await effects('evt_replay')) === 2);
    expect((await row(id)).processed_at).not.toBeNull();
  });

  it('keeps the webhook headers but never credentials', async () => {
    const { id } = await inbox.store({
      source: 'acme',
      externalId: 'evt_headers',
      eventType: 't',
      rawBody: Buffer.from('{}'),
      headers: { 'Webhook-Id': 'evt_headers', authorization: 'Bearer secret', 'x-api-key': 'k', cookie: 'c' },
    });
    expect((await inbox.find(id))?.headers).toEqual({ 'webhook-id': 'evt_headers' });
  });
});
