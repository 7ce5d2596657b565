import { Injectable } from '@nestjs/common';
import { LogisticsConfig } from '../logistics.config';
import { AfterShipCarrier } from './aftership.carrier';
import type { Carrier } from './carrier';
import { DirectCarrier } from './direct.carrier';
import { EasyPostCarrier } from './easypost.carrier';
import { Kuaidi100Carrier } from './kuaidi100.carrier';
import { SandboxCarrier } from './sandbox.carrier';
import { SfCarrier } from './sf.carrier';
import { ZtoCarrier } from './zto.carrier';

/**
 * The configured carriers by name. An unconfigured one is absent (its webhooks are 404). The
 * booking rules may only name carriers that are here and can book: checked at start, so a typo
 * in LOGISTICS_CARRIER_RULES fails the boot instead of the first order.
 */
@Injectable()
export class CarrierRegistry {
  private readonly byName = new Map<string, Carrier>();
  /** Carriers that book parcels (every one but the tracking-only aggregators). */
  private readonly booking = new Set<string>();

  constructor(config: LogisticsConfig) {
    const calls = {
      timeoutMs: config.LOGISTICS_CARRIER_TIMEOUT_MS,
      retry: {
        attempts: config.LOGISTICS_CARRIER_MAX_ATTEMPTS,
        initialBackoffMs: config.LOGISTICS_CARRIER_RETRY_BACKOFF_MS,
      },
    };
    const standardWebhooks = (secrets: readonly string[] | undefined) => ({
      secrets: secrets ?? [],
      toleranceSeconds: config.LOGISTICS_WEBHOOK_TOLERANCE_SECONDS,
    });
    const maxEventAgeSeconds = config.LOGISTICS_WEBHOOK_MAX_EVENT_AGE_SECONDS;
    if (config.sandboxEnabled) {
      this.add(new SandboxCarrier(standardWebhooks(config.LOGISTICS_SANDBOX_WEBHOOK_SECRET)), true);
    }
    if (config.LOGISTICS_AFTERSHIP_WEBHOOK_SECRET) {
      this.add(
        new AfterShipCarrier({
          webhookSecrets: config.LOGISTICS_AFTERSHIP_WEBHOOK_SECRET,
          maxEventAgeSeconds,
        }),
        false,
      );
    }
    if (config.LOGISTICS_EASYPOST_API_KEY) {
      this.add(
        new EasyPostCarrier({
          ...calls,
          apiBase: config.LOGISTICS_EASYPOST_API_BASE,
          apiKey: config.LOGISTICS_EASYPOST_API_KEY,
          webhookSecrets: config.LOGISTICS_EASYPOST_WEBHOOK_SECRET ?? [],
          maxEventAgeSeconds,
          carrierAccounts: config.LOGISTICS_EASYPOST_CARRIER_ACCOUNTS ?? [],
          service: config.LOGISTICS_EASYPOST_SERVICE,
        }),
        true,
      );
    }
    if (config.LOGISTICS_DIRECT_API_BASE && config.LOGISTICS_DIRECT_API_KEY) {
      this.add(
        new DirectCarrier({
          ...calls,
          apiBase: config.LOGISTICS_DIRECT_API_BASE,
          apiKey: config.LOGISTICS_DIRECT_API_KEY,
          webhook: standardWebhooks(config.LOGISTICS_DIRECT_WEBHOOK_SECRET),
        }),
        true,
      );
    }
    // Tracking only: it subscribes the parcels of LOGISTICS_KUAIDI100_TRACK's carriers and books none.
    if (
      config.LOGISTICS_KUAIDI100_KEY &&
      config.LOGISTICS_KUAIDI100_SALT &&
      config.LOGISTICS_KUAIDI100_TRACK
    ) {
      this.add(
        new Kuaidi100Carrier({
          apiBase: config.LOGISTICS_KUAIDI100_API_BASE,
          key: config.LOGISTICS_KUAIDI100_KEY,
          salt: config.LOGISTICS_KUAIDI100_SALT,
          callbackUrl: `${config.LOGISTICS_PUBLIC_BASE_URL.replace(/\/+$/, '')}/v1/webhooks/carriers/kuaidi100`,
          timeoutMs: config.LOGISTICS_CARRIER_TIMEOUT_MS,
        }),
        false,
      );
    }
    // SetTogether makes these four all set or all absent; the check is for the compiler too.
    if (
      config.LOGISTICS_SF_PARTNER_ID &&
      config.LOGISTICS_SF_CHECK_WORD &&
      config.LOGISTICS_SF_MONTHLY_CARD &&
      config.LOGISTICS_SF_PUSH_TOKEN
    ) {
      this.add(
        new SfCarrier({
          ...calls,
          apiBase: config.LOGISTICS_SF_API_BASE,
          partnerId: config.LOGISTICS_SF_PARTNER_ID,
          checkWord: config.LOGISTICS_SF_CHECK_WORD,
          monthlyCard: config.LOGISTICS_SF_MONTHLY_CARD,
          pushToken: config.LOGISTICS_SF_PUSH_TOKEN,
          pushAllowedCidrs: config.LOGISTICS_SF_PUSH_ALLOWED_CIDRS,
        }),
        true,
      );
    }
    if (config.LOGISTICS_ZTO_APP_KEY && config.LOGISTICS_ZTO_APP_SECRET) {
      this.add(
        new ZtoCarrier({
          ...calls,
          apiBase: config.LOGISTICS_ZTO_API_BASE,
          appKey: config.LOGISTICS_ZTO_APP_KEY,
          appSecret: config.LOGISTICS_ZTO_APP_SECRET,
          maxEventAgeSeconds,
        }),
        true,
      );
    }
    const named = [
      config.LOGISTICS_DEFAULT_CARRIER,
      ...config.LOGISTICS_CARRIER_RULES.map((rule) => rule.carrier),
    ];
    const unusable = [...new Set(named.filter((name) => !this.booking.has(name)))];
    if (unusable.length > 0) {
      throw new Error(
        `LOGISTICS_CARRIER_RULES / LOGISTICS_DEFAULT_CARRIER name carrier(s) that are not configured to book: ${unusable.join(', ')} (configured: ${[...this.booking].join(', ') || 'none'})`,
      );
    }
  }

  get(name: string): Carrier | undefined {
    return this.byName.get(name);
  }

  /** A carrier the booking rules chose; the constructor made sure it exists. */
  forBooking(name: string): Carrier {
    const carrier = this.byName.get(name);
    if (!carrier || !this.booking.has(name)) {
      throw new Error(`carrier ${name} cannot book`);
    }
    return carrier;
  }

  private add(carrier: Carrier, books: boolean): void {
    this.byName.set(carrier.name, carrier);
    if (books) {
      this.booking.add(carrier.name);
    }
  }
}
