/**
 * Plays the Chinese carriers for the logistics service: SF Express (丰桥) and ZTO book parcels over
 * their own APIs, checking Waybill's digests as they do; Kuaidi100 takes the subscriptions logistics
 * makes for their waybills and moves every parcel along — collected, in transit, out for delivery,
 * signed for, one step every `stepMs` — each step a signed push of the whole trace, newest first,
 * as Kuaidi100 sends them. Orders to Chinese addresses reach DELIVERED like the others.
 */
import { randomBytes } from 'node:crypto';
import { FakeKuaidi100, FakeSf, FakeZto, type FakeKuaidi100Subscription } from '@waybill/testing/parties';
import { Pacer, type PacedPartyOptions, type PartySimulator } from './party';

/** Kuaidi100's states and sub-states, one per step (resultv2=6 gives every checkpoint a sub-state). */
interface JourneyStep {
  readonly state: string;
  readonly statusCode: string;
  readonly context: string;
}

const JOURNEY: readonly JourneyStep[] = [
  { state: '1', statusCode: '103', context: '快件已揽收' },
  { state: '0', statusCode: '1002', context: '快件已到达【转运中心】' },
  { state: '5', statusCode: '5', context: '快件正在派送途中' },
  { state: '3', statusCode: '301', context: '快件已签收，签收人：本人' },
];

/** Three tries a second apart, as the other simulated parties deliver. */
const PUSH_ATTEMPTS = 3;

const DEMO_WAREHOUSE = {
  name: 'Waybill 演示仓',
  line1: '余杭区文一西路 969 号',
  city: '杭州市',
  region: '浙江省',
  postalCode: '311121',
  country: 'CN',
  phone: '+8657112345678',
};

/** Orders to CN up to this weight go with SF, heavier ones with ZTO (LOGISTICS_CARRIER_RULES). */
export const CHINA_CARRIER_RULES = [
  { carrier: 'sf', countries: ['CN'], maxWeightGrams: 500 },
  { carrier: 'zto', countries: ['CN'] },
];

export async function startChinaCarriers(options: PacedPartyOptions): Promise<PartySimulator> {
  const [sf, zto, kuaidi100] = await Promise.all([FakeSf.start(), FakeZto.start(), FakeKuaidi100.start()]);
  const pacer = new Pacer(options.stepMs);
  const inFlight = new Set<Promise<unknown>>();
  let delivered = 0;

  async function push(subscription: FakeKuaidi100Subscription, step: number): Promise<boolean> {
    const { state, statusCode, context } = JOURNEY[step];
    // The last push ends Kuaidi100's polling: the parcel was signed for.
    const status = step === JOURNEY.length - 1 ? 'shutdown' : 'polling';
    for (let attempt = 1; attempt <= PUSH_ATTEMPTS && !pacer.isStopped; attempt++) {
      // The node is added once; a retry sends the same trace again (an identical push is a duplicate).
      const sent = await kuaidi100.push(subscription.company, subscription.number, {
        state,
        status,
        nodes: attempt === 1 ? [{ context, statusCode }] : [],
      });
      if (sent.acknowledged) {
        return true;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    options.log(`kuaidi100: step ${statusCode} of ${subscription.number} was not acknowledged`);
    return false;
  }

  function travel(subscription: FakeKuaidi100Subscription, step: number): void {
    if (step >= JOURNEY.length) {
      delivered++;
      return;
    }
    pacer.later(() => {
      const sending = push(subscription, step).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
      void sending.then((acknowledged) => acknowledged && travel(subscription, step + 1));
    });
  }

  kuaidi100.onSubscribed = (subscription) => travel(subscription, 0);
  options.log(
    `china carriers: SF at ${sf.baseUrl}, ZTO at ${zto.baseUrl}, Kuaidi100 at ${kuaidi100.baseUrl}; a tracking step every ${options.stepMs} ms`,
  );
  return {
    env: {
      ...sf.env(),
      // SF signs no push: its pushes would come to /v1/webhooks/carriers/sf/<this token>.
      LOGISTICS_SF_PUSH_TOKEN: randomBytes(24).toString('hex'),
      ...zto.env(),
      ...kuaidi100.env(),
      LOGISTICS_KUAIDI100_TRACK: 'sf,zto',
      // Kuaidi100's callbackurl: logistics as the simulated Kuaidi100 reaches it.
      LOGISTICS_PUBLIC_BASE_URL: options.serviceUrl,
      LOGISTICS_CARRIER_RULES: JSON.stringify(CHINA_CARRIER_RULES),
      // The demo merchant ships from Hangzhou (to the US through EasyPost as well); ZTO wants a
      // sender with a phone on every bill.
      LOGISTICS_SHIP_FROM: JSON.stringify(DEMO_WAREHOUSE),
    },
    async stop() {
      pacer.stop();
      await Promise.allSettled([...inFlight]);
      options.log(
        `china carriers: ${sf.waybills.size} SF waybills, ${zto.orders.size} ZTO bills, ${kuaidi100.subscriptions.size} tracked, ${delivered} delivered`,
      );
      await Promise.allSettled([sf.stop(), zto.stop(), kuaidi100.stop()]);
    },
  };
}
