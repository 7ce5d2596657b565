import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AfterShipCarrier } from './aftership.carrier';

const carrier = new AfterShipCarrier({ webhookSecrets: ['s'], maxEventAgeSeconds: 3600 });
const inTransit = () =>
  JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'aftership', 'InTransit.json'), 'utf8')) as {
    event: string;
    event_id?: string;
    ts: number;
    msg: { checkpoints: { checkpoint_time: string }[] };
  };
const parse = (body: object) => carrier.readWebhook(Buffer.from(JSON.stringify(body)));

describe('AfterShipCarrier details', () => {
  it('takes the time of the newest checkpoint, converted to UTC', () => {
    expect(parse(inTransit()).updates[0].occurredAt).toBe('2026-03-02T09:10:00.000Z');
  });

  it('falls back to the event ts when the checkpoint time has no zone (it names no instant)', () => {
    const body = inTransit();
    body.msg.checkpoints[1].checkpoint_time = '2026-03-02T10:10:00';
    expect(parse(body).updates[0].occurredAt).toBe(new Date(body.ts * 1000).toISOString());
  });

  it('derives a stable event id for payloads from before event_id existed', () => {
    const body = inTransit();
    delete body.event_id;
    expect(parse(body).externalId).toBe(`65f1c2a8e4b0a1d2c3e4f5a6:InTransit:InTransit_007:${body.ts}`);
    expect(parse(body).externalId).toBe(parse(body).externalId);
  });

  it('reads events that carry no new status (edd_revise) as no updates', () => {
    const body = { ...inTransit(), event: 'edd_revise' };
    expect(parse(body)).toMatchObject({ eventType: 'edd_revise', updates: [] });
  });
});
