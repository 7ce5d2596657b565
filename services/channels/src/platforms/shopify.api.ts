/**
 * Shopify's Admin GraphQL API for the reconciliation poller (`orders` by `updated_at`) and the
 * tracking-back dispatcher (`fulfillmentCreate`, `fulfillmentTrackingInfoUpdate`), notes A1.
 *
 * Hand-written on fetch rather than @shopify/shopify-api: its GraphQL client wants the app's whole
 * config (API key and secret, host name, scopes) and a Session, where a connection holds only a
 * shop's access token; the lighter @shopify/admin-api-client beneath it forces `https://` onto the
 * store URL (so it cannot reach a connection's `api.base` as configured, nor the fake), and neither
 * caps the answer size nor returns refusals as values. Three documents over one POST is less than
 * the glue either would need.
 */
import type { ChannelKind } from '../domain/connection';
import { isRecord, records } from '../domain/map-order';
import { callPlatform, parseJson, PlatformProblem, utcInstant } from './platform-http';
import type {
  ModifiedOrdersOutcome,
  ModifiedOrdersQuery,
  PlatformCall,
  PolledOrder,
  StorefrontApi,
  TrackingReport,
  TrackingReportOutcome,
} from './storefront-api';

/** The Admin API version asked for (the fake plays 2025-07 too). */
export const SHOPIFY_ADMIN_API_VERSION = '2025-07';

/**
 * Shopify refuses a query whose requested cost is over 1000 points (MAX_COST_EXCEEDED), and a
 * connection's cost is roughly `first` × what each node asks for: with 50 line items an order,
 * 15 orders a page stays well under it (from memory of Shopify's cost rules, not measured). An
 * order with more lines than asked for maps short, and the totals check holds it.
 */
const MAX_PAGE = 15;
const LINE_ITEMS_PER_ORDER = 50;

/**
 * Waybill carrier → Shopify's tracking company, spelt exactly as Shopify's list has it (case
 * matters), so Shopify builds the tracking link and follows the shipment. SF Express and ZTO
 * Express are from memory of that list (FulfillmentTrackingInfo "Supported tracking companies"),
 * to be checked against it. EasyPost and AfterShip book or track with whichever carrier the
 * shipment uses, `direct` and `sandbox` are no carrier Shopify knows: those are sent as "Other"
 * with the tracking URL, which is Shopify's form for a company not on its list.
 */
export const SHOPIFY_TRACKING_COMPANIES: Readonly<Record<string, string>> = {
  sf: 'SF Express',
  zto: 'ZTO Express',
};
const OTHER_COMPANY = 'Other';

/** The Order fields the poller stores; mapShopifyGraphqlOrder reads them. */
export const SHOPIFY_ORDER_FIELDS = `
  id legacyResourceId name email createdAt updatedAt cancelledAt currencyCode
  displayFinancialStatus taxesIncluded note
  totalPriceSet { shopMoney { amount currencyCode } }
  subtotalPriceSet { shopMoney { amount currencyCode } }
  totalTaxSet { shopMoney { amount currencyCode } }
  totalDiscountsSet { shopMoney { amount currencyCode } }
  totalShippingPriceSet { shopMoney { amount currencyCode } }
  customer { id legacyResourceId email phone }
  lineItems(first: ${LINE_ITEMS_PER_ORDER}) { nodes { id sku name quantity originalUnitPriceSet { shopMoney { amount currencyCode } } } }
  shippingAddress {
    firstName lastName address1 address2 city province provinceCode zip country countryCodeV2 phone
  }`;

const ORDERS_QUERY = `query WaybillOrdersModifiedSince($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    edges { cursor node { ${SHOPIFY_ORDER_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const FULFILMENT_STATE_QUERY = `query WaybillOrderFulfilments($id: ID!) {
  order(id: $id) {
    id
    fulfillmentOrders(first: 20) { nodes { id status } }
    fulfillments(first: 50) { id status trackingInfo(first: 10) { company number url } }
  }
}`;

const FULFILMENT_CREATE = `mutation WaybillFulfilmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status trackingInfo(first: 10) { company number url } }
    userErrors { field message }
  }
}`;

const TRACKING_UPDATE = `mutation WaybillTrackingUpdate($fulfillmentId: ID!, $trackingInfoInput: FulfillmentTrackingInput!, $notifyCustomer: Boolean) {
  fulfillmentTrackingInfoUpdate(fulfillmentId: $fulfillmentId, trackingInfoInput: $trackingInfoInput, notifyCustomer: $notifyCustomer) {
    fulfillment { id status trackingInfo(first: 10) { company number url } }
    userErrors { field message }
  }
}`;

/** Fulfillment order states a fulfilment can still be created on. */
const FULFILLABLE = new Set(['OPEN', 'IN_PROGRESS']);

type GraphqlResult =
  | { readonly ok: true; readonly data: Record<string, unknown> }
  | { readonly ok: false; readonly problem: PlatformProblem };

export class ShopifyStorefrontApi implements StorefrontApi {
  readonly channel = 'shopify' satisfies ChannelKind;

  async ordersModifiedSince(call: PlatformCall, query: ModifiedOrdersQuery): Promise<ModifiedOrdersOutcome> {
    const since = utcInstant(query.since);
    if (since === undefined) {
      return { status: 'failed', reason: `since ${JSON.stringify(query.since)} is not an ISO 8601 instant` };
    }
    const result = await graphql(call, ORDERS_QUERY, {
      first: Math.min(Math.max(Math.trunc(query.limit), 1), MAX_PAGE),
      after: query.cursor ?? null,
      // At or after: the poller dedupes the orders it saw at the watermark itself.
      query: `updated_at:>='${since}'`,
    });
    if (!result.ok) {
      return result.problem;
    }
    const connection = result.data.orders;
    if (!isRecord(connection) || !Array.isArray(connection.edges) || !isRecord(connection.pageInfo)) {
      return malformed('the orders connection has no edges or pageInfo');
    }
    const orders: PolledOrder[] = [];
    for (const [index, edge] of connection.edges.entries()) {
      const polled = polledOrder(isRecord(edge) ? edge.node : undefined);
      if (typeof polled === 'string') {
        // Skipping it would move the watermark past an order never read: the page fails instead.
        return malformed(`orders.edges[${index}]: ${polled}`);
      }
      orders.push(polled);
    }
    const { hasNextPage, endCursor } = connection.pageInfo;
    if (hasNextPage === true && (typeof endCursor !== 'string' || endCursor === '')) {
      return malformed('pageInfo says there is a next page but gives no endCursor');
    }
    return {
      status: 'page',
      orders,
      ...(hasNextPage === true && typeof endCursor === 'string' && { nextCursor: endCursor }),
    };
  }

  async reportTracking(call: PlatformCall, report: TrackingReport): Promise<TrackingReportOutcome> {
    const trackingInfo = shopifyTracking(report);
    if (report.platformRef !== undefined) {
      const result = await graphql(call, TRACKING_UPDATE, {
        fulfillmentId: report.platformRef,
        trackingInfoInput: trackingInfo,
        notifyCustomer: true,
      });
      return result.ok ? fulfilmentAnswer(result.data.fulfillmentTrackingInfoUpdate) : result.problem;
    }
    if (!/^\d+$/.test(report.externalOrderId)) {
      return {
        status: 'failed',
        reason: `Shopify order id ${JSON.stringify(report.externalOrderId)} is not numeric`,
      };
    }
    const orderId = `gid://shopify/Order/${report.externalOrderId}`;
    const state = await fulfilmentState(call, orderId);
    if (!state.ok) {
      return state.problem;
    }
    const earlier = state.fulfilmentWith(report.trackingNumber);
    if (earlier !== undefined) {
      // Reported before (an answer lost on the way back): the same parcel, not a second fulfilment.
      return { status: 'reported', platformRef: earlier };
    }
    if (state.openFulfillmentOrders.length === 0) {
      return nothingToFulfil(state.otherNumbers, orderId);
    }
    const created = await graphql(call, FULFILMENT_CREATE, {
      fulfillment: {
        // No line items named: each fulfillment order is fulfilled whole.
        lineItemsByFulfillmentOrder: state.openFulfillmentOrders.map((id) => ({ fulfillmentOrderId: id })),
        trackingInfo,
        notifyCustomer: true,
      },
    });
    if (!created.ok) {
      return created.problem;
    }
    const outcome = fulfilmentAnswer(created.data.fulfillmentCreate);
    if (outcome.status === 'failed' && /not in a fulfillable state/i.test(outcome.reason)) {
      // Fulfilled meanwhile (a report racing this one): reported if it was this parcel.
      const again = await fulfilmentState(call, orderId);
      if (!again.ok) {
        return again.problem;
      }
      const raced = again.fulfilmentWith(report.trackingNumber);
      return raced !== undefined
        ? { status: 'reported', platformRef: raced }
        : nothingToFulfil(again.otherNumbers, orderId);
    }
    return outcome;
  }
}

interface FulfilmentState {
  readonly ok: true;
  readonly openFulfillmentOrders: readonly string[];
  readonly otherNumbers: readonly string[];
  /** The fulfilment that already carries this tracking number, if any. */
  fulfilmentWith(trackingNumber: string): string | undefined;
}

async function fulfilmentState(
  call: PlatformCall,
  orderId: string,
): Promise<FulfilmentState | { readonly ok: false; readonly problem: PlatformProblem }> {
  const result = await graphql(call, FULFILMENT_STATE_QUERY, { id: orderId });
  if (!result.ok) {
    return result;
  }
  const order = result.data.order;
  if (order === null) {
    return { ok: false, problem: { status: 'failed', reason: `Shopify has no order ${orderId}` } };
  }
  if (!isRecord(order) || !isRecord(order.fulfillmentOrders) || !Array.isArray(order.fulfillments)) {
    return {
      ok: false,
      problem: malformed(`order ${orderId} came without fulfillmentOrders or fulfillments`),
    };
  }
  const open = records(order.fulfillmentOrders.nodes)
    .filter(
      (node) =>
        typeof node.id === 'string' && typeof node.status === 'string' && FULFILLABLE.has(node.status),
    )
    .map((node) => node.id as string);
  const fulfilments = records(order.fulfillments).flatMap((fulfilment) =>
    typeof fulfilment.id === 'string' && fulfilment.status !== 'CANCELLED'
      ? [{ id: fulfilment.id, numbers: trackingNumbersOf(fulfilment.trackingInfo) }]
      : [],
  );
  return {
    ok: true,
    openFulfillmentOrders: open,
    otherNumbers: fulfilments.flatMap((fulfilment) => fulfilment.numbers),
    fulfilmentWith: (trackingNumber) =>
      fulfilments.find((fulfilment) => fulfilment.numbers.includes(trackingNumber))?.id,
  };
}

function trackingNumbersOf(info: unknown): string[] {
  return records(info).flatMap((item) => (typeof item.number === 'string' ? [item.number] : []));
}

/**
 * Nothing open to fulfil and no fulfilment with this parcel: either fulfilled with another tracking
 * number (by the merchant, or another system) or never fulfillable. Not claimed as reported, since
 * the buyer would then see someone else's tracking; an operator decides.
 */
function nothingToFulfil(otherNumbers: readonly string[], orderId: string): TrackingReportOutcome {
  return {
    status: 'failed',
    reason:
      otherNumbers.length > 0
        ? `Shopify order ${orderId} is already fulfilled with other tracking (${otherNumbers.join(', ')})`
        : `Shopify order ${orderId} has no open fulfillment order to fulfil`,
  };
}

function fulfilmentAnswer(payload: unknown): TrackingReportOutcome {
  if (!isRecord(payload) || !Array.isArray(payload.userErrors)) {
    return malformed('the mutation answered no payload with userErrors');
  }
  const errors = records(payload.userErrors).map((error) =>
    typeof error.message === 'string' ? error.message : JSON.stringify(error),
  );
  if (errors.length > 0) {
    return { status: 'failed', reason: `Shopify refused: ${errors.join('; ').slice(0, 500)}` };
  }
  const fulfilment = payload.fulfillment;
  if (!isRecord(fulfilment) || typeof fulfilment.id !== 'string' || fulfilment.id === '') {
    return malformed('the mutation answered no fulfillment id');
  }
  return { status: 'reported', platformRef: fulfilment.id };
}

function shopifyTracking(report: TrackingReport): Record<string, string> {
  const company = SHOPIFY_TRACKING_COMPANIES[report.carrier];
  return {
    company: company ?? OTHER_COMPANY,
    number: report.trackingNumber,
    ...(report.trackingUrl !== undefined && { url: report.trackingUrl }),
  };
}

/** An order node → PolledOrder, or what is wrong with it. */
function polledOrder(node: unknown): PolledOrder | string {
  if (!isRecord(node)) {
    return 'no node';
  }
  const id = node.legacyResourceId;
  if (typeof id !== 'string' || !/^\d+$/.test(id)) {
    return `legacyResourceId is ${JSON.stringify(id) ?? 'missing'}, not a numeric id`;
  }
  const updatedAt = utcInstant(node.updatedAt);
  if (updatedAt === undefined) {
    return `order ${id}: updatedAt is ${JSON.stringify(node.updatedAt) ?? 'missing'}`;
  }
  if (
    node.cancelledAt !== null &&
    node.cancelledAt !== undefined &&
    utcInstant(node.cancelledAt) === undefined
  ) {
    return `order ${id}: cancelledAt is ${JSON.stringify(node.cancelledAt)}`;
  }
  return {
    externalOrderId: id,
    updatedAt,
    cancelled: typeof node.cancelledAt === 'string',
    // GraphQL writes ids, money and dates as strings and only 32-bit Ints as numbers, so the
    // parsed node re-serialises to the same values.
    payload: { format: 'shopify-graphql', rawBody: JSON.stringify(node) },
  };
}

async function graphql(
  call: PlatformCall,
  query: string,
  variables: Readonly<Record<string, unknown>>,
): Promise<GraphqlResult> {
  const token = call.secrets.credentials.accessToken;
  if (token === undefined || token === '') {
    return {
      ok: false,
      problem: { status: 'failed', reason: 'the connection has no accessToken credential' },
    };
  }
  const answer = await callPlatform('Shopify', {
    url: `${call.connection.api.base.replace(/\/+$/, '')}/admin/api/${SHOPIFY_ADMIN_API_VERSION}/graphql.json`,
    method: 'POST',
    headers: { 'X-Shopify-Access-Token': token },
    json: { query, variables },
    timeoutMs: call.timeoutMs,
  });
  if (!answer.ok) {
    return answer;
  }
  const body = parseJson(answer.text);
  if (answer.status !== 200) {
    const said = isRecord(body) ? JSON.stringify(body.errors ?? body).slice(0, 300) : '';
    return {
      ok: false,
      problem: { status: 'failed', reason: `Shopify answered HTTP ${answer.status} ${said}`.trim() },
    };
  }
  if (!isRecord(body)) {
    return {
      ok: false,
      problem: { status: 'retry', reason: 'Shopify answered HTTP 200 with a body that is not a JSON object' },
    };
  }
  const errors = records(body.errors);
  if (errors.length > 0) {
    // Shopify throttles by query cost with HTTP 200 and a THROTTLED error.
    const throttled = errors.some(
      (error) => isRecord(error.extensions) && error.extensions.code === 'THROTTLED',
    );
    const messages = errors
      .map((error) => (typeof error.message === 'string' ? error.message : '?'))
      .join('; ');
    return {
      ok: false,
      problem: {
        status: throttled ? 'retry' : 'failed',
        reason: `Shopify GraphQL errors: ${messages.slice(0, 500)}`,
      },
    };
  }
  if (!isRecord(body.data)) {
    return { ok: false, problem: malformed('the answer has no data') };
  }
  return { ok: true, data: body.data };
}

function malformed(what: string): { readonly status: 'failed'; readonly reason: string } {
  return { status: 'failed', reason: `Shopify's answer is not what the Admin API documents: ${what}` };
}
