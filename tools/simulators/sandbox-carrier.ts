/**
 * Drives a sandbox parcel through tracking statuses, as a real carrier would: one signed Standard
 * Webhooks message per status to the logistics service.
 *
 *   LOGISTICS_SANDBOX_WEBHOOK_SECRET=whsec_… npm run simulate:carrier -- <tracking number> [status …]
 *
 * Statuses default to in_transit out_for_delivery delivered; LOGISTICS_URL defaults to
 * http://127.0.0.1:3004 and SIMULATOR_STEP_MS (pause between statuses) to 1000.
 */
import { randomUUID } from 'node:crypto';
import { SHIPMENT_STATUSES } from '@waybill/contracts';
import { parseSecretList } from '@waybill/platform';
import { signedTrackingWebhook } from '../../services/logistics/src/carriers/waybill-tracking-webhook';

async function main(): Promise<void> {
  const [trackingNumber, ...requested] = process.argv.slice(2);
  const secrets = parseSecretList(process.env.LOGISTICS_SANDBOX_WEBHOOK_SECRET);
  if (!trackingNumber || secrets.length === 0) {
    throw new Error(
      'usage: LOGISTICS_SANDBOX_WEBHOOK_SECRET=whsec_… sandbox-carrier <tracking number> [status …]',
    );
  }
  const statuses = requested.length > 0 ? requested : ['in_transit', 'out_for_delivery', 'delivered'];
  const unknown = statuses.filter((status) => !(SHIPMENT_STATUSES as readonly string[]).includes(status));
  if (unknown.length > 0) {
    console.warn(`not canonical (logistics will keep them as unknown): ${unknown.join(', ')}`);
  }
  const url = `${process.env.LOGISTICS_URL ?? 'http://127.0.0.1:3004'}/v1/webhooks/carriers/sandbox`;
  const stepMs = Number(process.env.SIMULATOR_STEP_MS ?? 1000);
  for (const [index, status] of statuses.entries()) {
    if (index > 0) {
      await new Promise((resolve) => setTimeout(resolve, stepMs));
    }
    const { rawBody, headers } = signedTrackingWebhook(
      {
        tracking_number: trackingNumber,
        status,
        occurred_at: new Date().toISOString(),
        location: 'Sandbox hub',
      },
      { secrets, id: `msg_${randomUUID()}` },
    );
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: rawBody,
    });
    console.log(`${status}: HTTP ${response.status} ${await response.text()}`);
    if (!response.ok) {
      process.exitCode = 1;
    }
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
