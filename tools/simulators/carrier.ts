/**
 * Plays EasyPost for the logistics service: it sells labels over EasyPost's API, then moves every
 * parcel along — in_transit, out_for_delivery, delivered, one step every `stepMs` — posting each
 * status as a `tracker.updated` webhook signed as EasyPost signs them. Orders reach DELIVERED.
 */
import {
  easyPostTrackerEvent,
  FakeEasyPost,
  signEasyPost,
  type EasyPostShipment,
  type EasyPostTrackingStatus,
} from '@waybill/testing/parties';
import type { PacedPartyOptions, PartySimulator } from './party';

export const PARCEL_JOURNEY: readonly EasyPostTrackingStatus[] = [
  'in_transit',
  'out_for_delivery',
  'delivered',
];

export async function startCarrier(
  options: PacedPartyOptions & { readonly apiKey: string; readonly webhookSecret: string },
): Promise<PartySimulator> {
  const easypost = await new FakeEasyPost(options.apiKey).start();
  const webhookUrl = `${options.serviceUrl}/v1/webhooks/carriers/easypost`;
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  let stopped = false;

  async function post(shipment: EasyPostShipment, status: EasyPostTrackingStatus): Promise<void> {
    const rawBody = Buffer.from(JSON.stringify(easyPostTrackerEvent(shipment, status)));
    // A real carrier retries a webhook that failed; three tries is enough for a local demo.
    for (let attempt = 1; attempt <= 3 && !stopped; attempt++) {
      try {
        const response = await fetch(webhookUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...signEasyPost(rawBody, options.webhookSecret, new Date()),
          },
          body: rawBody,
          signal: AbortSignal.timeout(15_000),
        });
        if (response.ok) return;
        options.log(`carrier: ${status} for ${shipment.trackingCode} answered ${response.status}`);
      } catch (error) {
        options.log(`carrier: ${status} for ${shipment.trackingCode} failed: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  function travel(shipment: EasyPostShipment, step: number): void {
    if (stopped || step >= PARCEL_JOURNEY.length) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      shipment.pickedUp = true;
      const sending = post(shipment, PARCEL_JOURNEY[step]).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
      void sending.then(() => travel(shipment, step + 1));
    }, options.stepMs);
    timers.add(timer);
  }

  easypost.onBought = (shipment) => travel(shipment, 0);
  options.log(`carrier: EasyPost API at ${easypost.baseUrl}, a tracking step every ${options.stepMs} ms`);
  return {
    env: {
      LOGISTICS_EASYPOST_API_BASE: easypost.baseUrl,
      LOGISTICS_EASYPOST_API_KEY: options.apiKey,
      LOGISTICS_EASYPOST_WEBHOOK_SECRET: options.webhookSecret,
      LOGISTICS_EASYPOST_CARRIER_ACCOUNTS: 'ca_demo',
      LOGISTICS_EASYPOST_SERVICE: 'Priority',
      LOGISTICS_DEFAULT_CARRIER: 'easypost',
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.allSettled([...inFlight]);
      options.log(`carrier: ${easypost.shipments.size} labels sold`);
      await easypost.stop();
    },
  };
}
