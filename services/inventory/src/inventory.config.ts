import { registerDecorator, ValidationArguments } from 'class-validator';
import { EnvBoolean, EnvGroup, EnvInt, EnvList, EnvValue, Secret } from '@waybill/platform';
import { EventDrivenServiceConfig } from '@waybill/eventing';
import { NetworkPolicy, urlRefusal } from './suppliers/network-policy';
import { parseSupplierSettings, SUPPLIER_PREFIX, SupplierSettings } from './suppliers/supplier-settings';

/**
 * Every http-json supplier URL must pass the network policy (allow-list, no link-local, no private
 * or loopback address unless allowed). Checked here so a bad URL stops the boot; DNS answers are
 * checked again at boot (SupplierDirectory) and on every send.
 */
function SupplierUrlsAllowed(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'supplierUrlsAllowed',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          !Array.isArray(value) ||
          firstUrlProblem(value as SupplierSettings[], args.object as InventoryConfig) === undefined,
        defaultMessage: (args?: ValidationArguments) =>
          firstUrlProblem((args?.value ?? []) as SupplierSettings[], args?.object as InventoryConfig) ??
          'is invalid',
      },
    });
}

function firstUrlProblem(
  suppliers: readonly SupplierSettings[],
  config: InventoryConfig,
): string | undefined {
  for (const supplier of suppliers) {
    if (!supplier.url) {
      continue;
    }
    const refusal = urlRefusal(new URL(supplier.url), config.networkPolicy);
    if (refusal) {
      return `${supplier.variablePrefix}_URL is refused: ${refusal}`;
    }
  }
  return undefined;
}

export class InventoryConfig extends EventDrivenServiceConfig {
  override PORT = 3002;

  /** How long a reservation waits for its payment (order.confirmed) before it is released. */
  @EnvInt({ min: 1, max: 7 * 24 * 3600 })
  INVENTORY_RESERVATION_TTL_SECONDS = 900;

  /** How often the sweeper looks for expired reservations. */
  @EnvInt({ min: 10, max: 3_600_000 })
  INVENTORY_EXPIRY_SWEEP_INTERVAL_MS = 5000;

  /** Reservations released per sweeper transaction; a sweep runs batches until none is left. */
  @EnvInt({ min: 1, max: 10_000 })
  INVENTORY_EXPIRY_BATCH_SIZE = 100;

  /** How often every SKU with a policy is checked against its reorder point (beside the triggers). */
  @EnvInt({ min: 10, max: 24 * 3_600_000 })
  INVENTORY_REPLENISHMENT_SWEEP_INTERVAL_MS = 60_000;

  /** The dispatcher's fallback poll: it is woken by pg_notify when an order it must send commits. */
  @EnvInt({ min: 10, max: 600_000 })
  INVENTORY_PO_DISPATCH_POLL_INTERVAL_MS = 1000;

  /** First wait after a failed send; doubles per attempt up to the maximum, then stays there. */
  @EnvInt({ min: 1, max: 3_600_000 })
  INVENTORY_PO_RETRY_INITIAL_BACKOFF_MS = 1000;

  @EnvInt({ min: 1, max: 24 * 3_600_000 })
  INVENTORY_PO_RETRY_MAX_BACKOFF_MS = 300_000;

  /** Per attempt of a purchase order send, unless the supplier sets its own `_TIMEOUT_MS`. */
  @EnvInt({ min: 100, max: 120_000 })
  INVENTORY_SUPPLIER_TIMEOUT_MS = 10_000;

  /** Hosts supplier URLs may name (exact, or `*.example.com`); required for any http-json supplier. */
  @EnvList({ minItems: 0 })
  INVENTORY_SUPPLIER_ALLOWED_HOSTS: string[] = [];

  /** Let supplier URLs resolve to 10/8, 172.16/12, 192.168/16, fc00::/7 (off by default). */
  @EnvBoolean()
  INVENTORY_SUPPLIER_ALLOW_PRIVATE_NETWORKS = false;

  /** Let supplier URLs resolve to 127/8 and ::1: local development and tests only. */
  @EnvBoolean()
  INVENTORY_SUPPLIER_ALLOW_LOOPBACK = false;

  /** Supplier webhooks larger than this are refused with 413. */
  @EnvInt({ min: 256, max: 1024 * 1024 })
  INVENTORY_SUPPLIER_WEBHOOK_MAX_BYTES = 64 * 1024;

  @EnvInt({ min: 1, max: 3600 })
  INVENTORY_SUPPLIER_WEBHOOK_TOLERANCE_SECONDS = 300;

  /**
   * The suppliers, from `INVENTORY_SUPPLIER_<NAME>_ADAPTER` (http-json | sandbox), `_URL`, `_NAME`,
   * `_WEBHOOK_SECRET`, `_SIGNING_SECRET`, `_TIMEOUT_MS`, `_SANDBOX_ACK_DELAY_MS`, `_SANDBOX_SHIP_DELAY_MS`.
   */
  @Secret()
  @SupplierUrlsAllowed()
  @EnvGroup(SUPPLIER_PREFIX)
  @EnvValue(parseSupplierSettings)
  INVENTORY_SUPPLIER_SETTINGS: SupplierSettings[] = [];

  get networkPolicy(): NetworkPolicy {
    return {
      allowedHosts: this.INVENTORY_SUPPLIER_ALLOWED_HOSTS,
      allowLoopback: this.INVENTORY_SUPPLIER_ALLOW_LOOPBACK,
      allowPrivateNetworks: this.INVENTORY_SUPPLIER_ALLOW_PRIVATE_NETWORKS,
    };
  }
}
