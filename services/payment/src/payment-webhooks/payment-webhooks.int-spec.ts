import { randomUUID } from 'node:crypto';
import { HttpException } from '@nestjs/common';
import { DomainError } from '@waybill/platform';
import { storedWebhookRows, UseCaseHarness, webhookApplied } from '@waybill/testing';
import {
  paymentRow,
  paymentUseCases,
  placedAndReserved,
  signedSandboxWebhook,
  storedSandboxWebhook,
} from '../../test/use-cases';
import { PaymentWebhookHandler } from '../events/payment-webhook.handler';
import { ReceiveWebhookService } from './receive-webhook.service';

describe('PaymentWebhookHandler: a stored provider webhook applied (use case on PostgreSQL)', () => {
  let harness: UseCaseHarness;
  let handler: PaymentWebhookHandler;

  beforeAll(async () => {
    harness = await paymentUseCases();
    handler = harness.get(PaymentWebhookHandler);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const apply = (type: string, data: Record<string, unknown>, source?: string) =>
    harness.run((uow) => handler.handle(uow, storedSandboxWebhook(type, data, source)));

  it('resolves a pending customer action: AUTHORIZED and payment.authorized; the same news again changes nothing', async () => {
    const orderId = await placedAndReserved(harness, 'sandbox_requires_action');
    expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'REQUIRES_ACTION' });

    await apply('payment.authorized', { order_id: orderId });
    await apply('payment.authorized', { order_id: orderId });
    await apply('payment.failed', { order_id: orderId, decline_code: 'card_declined' }); // late

    expect(await paymentRow(harness, orderId)).toMatchObject({
      status: 'AUTHORIZED',
      provider_payment_ref: `sbx_pi_${orderId}`,
      failure_reason: null,
    });
    const [authorized, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(authorized).toMatchObject({ type: 'waybill.payment.authorized.v1', key: orderId });
    expect(authorized.data).toMatchObject({ orderId, providerPaymentRef: `sbx_pi_${orderId}` });
  });

  it('fails a pending action the provider cancelled, with payment.failed', async () => {
    const orderId = await placedAndReserved(harness, 'sandbox_requires_action');

    await apply('payment.canceled', { order_id: orderId });

    expect(await paymentRow(harness, orderId)).toMatchObject({
      status: 'FAILED',
      failure_reason: 'PAYMENT.PROVIDER_ERROR',
    });
    const [failed, ...more] = await harness.enqueued();
    expect(more).toEqual([]);
    expect(failed).toMatchObject({ type: 'waybill.payment.failed.v1', key: orderId });
    expect(failed.data).toMatchObject({ orderId, reason: 'PAYMENT.PROVIDER_ERROR' });
  });

  it('follows a capture made at the provider, and an expired hold, on authorized payments', async () => {
    const captured = await placedAndReserved(harness);
    const expired = await placedAndReserved(harness);

    await apply('payment.captured', { order_id: captured });
    await apply('payment.canceled', { order_id: expired });

    expect(await paymentRow(harness, captured)).toMatchObject({
      status: 'CAPTURED',
      captured_amount: '5390',
    });
    expect(await paymentRow(harness, expired)).toMatchObject({
      status: 'VOIDED',
      void_reason: 'PAYMENT.AUTHORIZATION_EXPIRED',
    });
    const events = await harness.enqueued();
    expect(events.map((event) => [event.type, event.key])).toEqual([
      ['waybill.payment.captured.v1', captured],
      ['waybill.payment.voided.v1', expired],
    ]);
    expect(events[1].data).toMatchObject({ orderId: expired, reason: 'PAYMENT.AUTHORIZATION_EXPIRED' });
  });

  it('ignores a webhook about no payment of ours, or naming another payment reference, writing nothing', async () => {
    const orderId = await placedAndReserved(harness, 'sandbox_requires_action');
    const unknown = randomUUID();

    await apply('payment.authorized', { order_id: unknown });
    await apply('payment.authorized', { order_id: orderId, payment_ref: 'sbx_pi_someone-else' });

    expect(await paymentRow(harness, unknown)).toBeUndefined();
    expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'REQUIRES_ACTION' });
    expect(await harness.enqueued()).toEqual([]);
  });

  it('throws for a provider no longer configured, so the worker retries, and changes nothing', async () => {
    const orderId = await placedAndReserved(harness, 'sandbox_requires_action');

    await expect(apply('payment.authorized', { order_id: orderId }, 'stripe')).rejects.toThrow(
      /stripe is no longer configured/,
    );

    expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'REQUIRES_ACTION' });
    expect(await harness.enqueued()).toEqual([]);
  });
});

describe('ReceiveWebhookService: through the webhook ingress and its worker (PostgreSQL, no HTTP)', () => {
  let harness: UseCaseHarness;
  let receiver: ReceiveWebhookService;

  beforeAll(async () => {
    harness = await paymentUseCases({ webhookIngress: true });
    receiver = harness.get(ReceiveWebhookService);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const stored = (externalId: string) => storedWebhookRows(harness, 'sandbox', externalId);
  const processed = (externalId: string, attempts?: number) =>
    webhookApplied(harness, 'sandbox', externalId, attempts);

  it('stores a signed webhook, answers at once, and the worker applies it; a redelivery is a duplicate', async () => {
    const orderId = await placedAndReserved(harness, 'sandbox_requires_action');
    const webhook = signedSandboxWebhook('payment.authorized', { order_id: orderId });

    const ack = await receiver.receive('sandbox', webhook.rawBody, webhook.headers);
    expect(ack).toMatchObject({ status: 200, body: { received: true, duplicate: false, ignored: false } });
    await processed(webhook.id);
    const again = await receiver.receive('sandbox', webhook.rawBody, webhook.headers);

    expect(again).toMatchObject({ status: 200, body: { received: true, duplicate: true, ignored: false } });
    expect(await stored(webhook.id)).toHaveLength(1);
    expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'AUTHORIZED' });
    expect(await harness.enqueuedTypes()).toEqual(['waybill.payment.authorized.v1']);
  });

  it('an operator replay applies the stored copy again, which changes nothing already applied', async () => {
    const orderId = await placedAndReserved(harness, 'sandbox_requires_action');
    const webhook = signedSandboxWebhook('payment.authorized', { order_id: orderId });
    await receiver.receive('sandbox', webhook.rawBody, webhook.headers);
    await processed(webhook.id);
    await harness.enqueued();
    const [row] = await stored(webhook.id);

    expect(await receiver.replay('sandbox', row.id)).toEqual({ replayed: true, id: row.id });
    await processed(webhook.id, 2);

    expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'AUTHORIZED' });
    expect(await harness.enqueued()).toEqual([]);
    await expect(receiver.replay('sandbox', '999999999')).rejects.toMatchObject({
      code: 'PAYMENT.WEBHOOK_NOT_FOUND',
    });
  });

  it('refuses an unsigned or tampered webhook before storing anything', async () => {
    const orderId = await placedAndReserved(harness, 'sandbox_requires_action');
    const webhook = signedSandboxWebhook('payment.authorized', { order_id: orderId });
    const tampered = Buffer.from(webhook.rawBody.toString('utf8').replace(orderId, randomUUID()));

    await expect(receiver.receive('sandbox', webhook.rawBody, {})).rejects.toBeInstanceOf(HttpException);
    await expect(receiver.receive('sandbox', tampered, webhook.headers)).rejects.toBeInstanceOf(
      HttpException,
    );

    expect(await stored(webhook.id)).toEqual([]);
    expect(await paymentRow(harness, orderId)).toMatchObject({ status: 'REQUIRES_ACTION' });
  });

  it('answers a verified webhook of a type the saga ignores without storing it', async () => {
    const webhook = signedSandboxWebhook('payment.processing', { order_id: randomUUID() });

    const ack = await receiver.receive('sandbox', webhook.rawBody, webhook.headers);

    expect(ack.body).toEqual({ received: true, duplicate: false, ignored: true });
    expect(await stored(webhook.id)).toEqual([]);
  });

  it('refuses a provider that is not configured', async () => {
    const webhook = signedSandboxWebhook('payment.authorized', { order_id: randomUUID() });

    // Thrown before anything is awaited: an async wrapper makes it the rejection a controller sees.
    const refusal = (async () => receiver.receive('paypal', webhook.rawBody, webhook.headers))();

    await expect(refusal).rejects.toBeInstanceOf(DomainError);
    await expect(refusal).rejects.toMatchObject({ code: 'PAYMENT.UNKNOWN_PROVIDER' });
  });
});
