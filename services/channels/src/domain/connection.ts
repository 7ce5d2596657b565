/** The platforms a connection can be for. */
export const CHANNEL_KINDS = ['shopify', 'woocommerce', 'youzan'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** What is sealed at rest and never answered: the webhook signing secret and the API credentials. */
export interface ConnectionSecrets {
  readonly signingSecret: string;
  /** By name, as the platform calls them (`accessToken`; `consumerKey` and `consumerSecret`; …). */
  readonly credentials: Readonly<Record<string, string>>;
}

/** The per-connection overlay on the platform's adapter: a JSONata expression. */
export interface ConnectionMapping {
  readonly overlay: string;
}

/** A connection as written: everything but the secrets is plain. */
export interface ConnectionSettings {
  readonly id: string;
  readonly channel: ChannelKind;
  /** Shopify's shop domain, WooCommerce's site URL or Youzan's kdt_id. */
  readonly store: string;
  /** The Waybill storefront its orders are placed for. */
  readonly storefrontId: string;
  readonly apiBase: string;
  readonly defaults: { readonly currency: string; readonly timezone: string };
  readonly mapping?: ConnectionMapping;
}

/** A connection as answered: the secrets only as facts about them. */
export interface ConnectionView {
  readonly id: string;
  readonly channel: ChannelKind;
  readonly store: string;
  readonly storefrontId: string;
  readonly api: { readonly base: string; readonly credentialNames: readonly string[] };
  readonly defaults: { readonly currency: string; readonly timezone: string };
  readonly mapping?: ConnectionMapping;
  /** Goes up whenever the mapping changes; stored with every order mapped under it. */
  readonly mappingVersion: number;
  readonly hasSigningSecret: boolean;
  /** The CHANNELS_SECRETS_KEY id the secrets are sealed with: after a rotation, which rows are left. */
  readonly secretKeyId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}
