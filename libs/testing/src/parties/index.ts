/**
 * The outside parties Waybill talks to, played by real HTTP servers speaking each party's own wire
 * format: Stripe, WeChat Pay, Alipay, UnionPay, carriers (EasyPost, a direct carrier; SF Express, ZTO and Kuaidi100, not wired to a carrier yet), an http-json supplier and the storefront platforms (Shopify, WooCommerce, Youzan). The e2e tests
 * and the `npm start` simulators (tools/simulators) use these same classes, so what the demo shows
 * is what the tests prove. Import them from `@waybill/testing/parties` to load nothing else.
 */
export * from './fake-stripe';
export * from './fake-carrier-apis';
export * from './carrier-webhook-signing';
export * from './fake-supplier';
export * from './standard-webhook-signing';
export * from './fake-payment-gateway';
export * from './fake-wechatpay';
export * from './fake-alipay';
export * from './fake-unionpay';
export * from './test-certificates';
export * from './fake-sf';
export * from './fake-zto';
export * from './fake-kuaidi100';
export * from './storefront-webhook-sender';
export * from './fake-shopify';
export * from './fake-woocommerce';
export * from './fake-youzan';
export * from './storefront-connections';
