/**
 * A connection's declarative overlay: one JSONata expression, evaluated after the code mapper on
 * `{ order, payload }`, that returns the fields to set or override, e.g.
 *   { "customer": { "id": "shop-" & payload.customer.id }, "notes": payload.note }
 * Only customer, shippingAddress and notes may change: money, lines and ids are the code mapper's,
 * because an overlay that rewrote amounts would bypass the totals check. A bad expression, an
 * error at run time or a forbidden field is a result, never a thrown exception. A runaway
 * expression is stopped by JSONata's guardrails (depth, time, sequence size), so one connection's
 * overlay cannot stall the intake of everyone's orders.
 */
import jsonata from 'jsonata';
import type { CanonicalOrder } from './canonical-order';

export interface Overlay {
  readonly expression: string;
  /** Bumped by the connection when the expression changes; part of the mapping version. */
  readonly version: string;
}

export interface OverlayTarget {
  readonly order: CanonicalOrder;
  readonly notes?: string;
}

export type OverlayResult =
  | { readonly ok: true; readonly order: CanonicalOrder; readonly notes?: string }
  | { readonly ok: false; readonly message: string };

const SETTABLE = {
  customer: new Set(['id', 'email']),
  shippingAddress: new Set(['name', 'line1', 'line2', 'city', 'region', 'postalCode', 'country', 'phone']),
} as const;

/**
 * JSONata's own guardrails (2.x), checked on every evaluation step: nesting deeper than any field
 * mapping needs (a runaway recursion), longer than a mapping takes (a tail-recursive loop, which
 * is no deeper on each call), and sequences larger than any order has lines (`[1..9999999]`). A
 * breach is a JSONata error like any other: the order is held with the reason. The step hook
 * `__evaluate_entry` that an earlier version used is looked up under a Symbol in 2.x, so a string
 * name never fired.
 */
const GUARDRAILS = { stack: 200, timeout: 250, sequence: 100_000 } as const;

const GUARDRAIL_BREACHES = {
  D1011: `nested deeper than ${GUARDRAILS.stack}`,
  D1012: `ran longer than ${GUARDRAILS.timeout} ms`,
  D2014: `made a sequence of more than ${GUARDRAILS.sequence} items`,
  D2015: `made a sequence of more than ${GUARDRAILS.sequence} items`,
} as const;

export async function applyOverlay(
  overlay: Overlay,
  target: OverlayTarget,
  payload: unknown,
): Promise<OverlayResult> {
  let expression: jsonata.Expression;
  try {
    expression = jsonata(overlay.expression, GUARDRAILS);
  } catch (error) {
    return { ok: false, message: `overlay ${overlay.version} does not parse: ${describe(error)}` };
  }
  let output: unknown;
  try {
    output = await expression.evaluate({ order: target.order, notes: target.notes, payload });
  } catch (error) {
    return { ok: false, message: `overlay ${overlay.version} failed: ${describe(error)}` };
  }
  if (output === undefined) {
    // An expression that matches nothing changes nothing, as in JSONata itself.
    return { ok: true, order: target.order, notes: target.notes };
  }
  if (!isRecord(output)) {
    return {
      ok: false,
      message: `overlay ${overlay.version} must give an object, not ${JSON.stringify(output)}`,
    };
  }
  const order: CanonicalOrder = {
    ...target.order,
    customer: { ...target.order.customer },
    shippingAddress: { ...target.order.shippingAddress },
  };
  let notes = target.notes;
  for (const [field, value] of Object.entries(output)) {
    if (field === 'notes') {
      if (typeof value !== 'string') {
        return {
          ok: false,
          message: `overlay ${overlay.version}: notes must be text, not ${JSON.stringify(value)}`,
        };
      }
      notes = value;
      continue;
    }
    if (field !== 'customer' && field !== 'shippingAddress') {
      return {
        ok: false,
        message: `overlay ${overlay.version} may set customer, shippingAddress and notes, not ${JSON.stringify(field)}`,
      };
    }
    if (!isRecord(value)) {
      return { ok: false, message: `overlay ${overlay.version}: ${field} must be an object of fields` };
    }
    for (const [name, part] of Object.entries(value)) {
      if (!SETTABLE[field].has(name)) {
        return { ok: false, message: `overlay ${overlay.version} may not set ${field}.${name}` };
      }
      if (typeof part !== 'string') {
        return {
          ok: false,
          message: `overlay ${overlay.version}: ${field}.${name} must be text, not ${JSON.stringify(part)}`,
        };
      }
      // Every settable field is text; the contract check after the overlay judges the values.
      (order[field] as unknown as Record<string, string>)[name] = part;
    }
  }
  return { ok: true, order, notes };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  // JSONata rejects with plain objects { code, message, position }; a guardrail's has no message.
  if (isRecord(error) && typeof error.code === 'string' && error.code in GUARDRAIL_BREACHES) {
    return GUARDRAIL_BREACHES[error.code as keyof typeof GUARDRAIL_BREACHES];
  }
  if (isRecord(error) && typeof error.message === 'string') {
    return typeof error.position === 'number' ? `${error.message} (at ${error.position})` : error.message;
  }
  return String(error);
}
