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
import { deliverWebhook, Pacer, type PacedPartyOptions, type PartySimulator } from './party';

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
  const pacer = new Pacer(options.stepMs);
  const inFlight = new Set<Promise<unknown>>();

  function post(shipment: EasyPostShipment, status: EasyPostTrackingStatus): Promise<unknown> {
    const rawBody = Buffer.from(JSON.stringify(easyPostTrackerEvent(shipment, status)));
    const headers = {
      'content-type': 'application/json',
      ...signEasyPost(rawBody, options.webhookSecret, new Date()),
    };
    return deliverWebhook(
      webhookUrl,
      { rawBody, headers },
      {
        what: `carrier: ${status} for ${shipment.trackingCode}`,
        log: options.log,
        stopped: () => pacer.isStopped,
      },
    );
  }

  function travel(shipment: EasyPostShipment, step: number): void {
    if (step >= PARCEL_JOURNEY.length) {
      return;
    }
    pacer.later(() => {
      shipment.pickedUp = true;
      const sending = post(shipment, PARCEL_JOURNEY[step]).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
      void sending.then(() => travel(shipment, step + 1));
    });
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
      pacer.stop();
      await Promise.allSettled([...inFlight]);
      options.log(`carrier: ${easypost.shipments.size} labels sold`);
      await easypost.stop();
    },
  };
}
