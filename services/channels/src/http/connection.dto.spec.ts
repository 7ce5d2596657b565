import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { fieldErrors } from '@waybill/platform';
import { isTimeZone, PutConnectionBody } from './connection.dto';

const VALID = {
  channel: 'shopify',
  store: 'waybill-demo.myshopify.com',
  storefrontId: 'shop-eu',
  signingSecret: 'shpss_x',
  api: { base: 'https://waybill-demo.myshopify.com', credentials: { accessToken: 'shpat_x' } },
  defaults: { currency: 'EUR', timezone: 'Europe/Berlin' },
};

/** The fields validation names for a body (whitelisting as the HTTP pipe does). */
function invalidFields(body: object): string[] {
  const errors = validateSync(plainToInstance(PutConnectionBody, body), {
    whitelist: true,
    forbidNonWhitelisted: true,
  });
  return fieldErrors(errors).map((error) => error.field);
}

describe('PutConnectionBody', () => {
  it('accepts a connection of each platform', () => {
    expect(invalidFields(VALID)).toEqual([]);
    expect(invalidFields({ ...VALID, channel: 'woocommerce', store: 'https://shop.example.com' })).toEqual(
      [],
    );
    expect(invalidFields({ ...VALID, channel: 'youzan', store: '91234567890123456789' })).toEqual([]);
    expect(invalidFields({ ...VALID, mapping: { overlay: '{ "note": customer_note }' } })).toEqual([]);
  });

  it('checks the store against the channel', () => {
    expect(invalidFields({ ...VALID, store: 'https://shop.example.com' })).toEqual(['store']);
    expect(invalidFields({ ...VALID, channel: 'woocommerce', store: 'shop.example.com' })).toEqual(['store']);
    expect(invalidFields({ ...VALID, channel: 'youzan', store: '12ab' })).toEqual(['store']);
    expect(invalidFields({ ...VALID, channel: 'etsy' })).toEqual(['channel']);
  });

  it('names the nested field that is wrong', () => {
    expect(invalidFields({ ...VALID, defaults: { currency: 'EURO', timezone: 'Europe/Berlin' } })).toEqual([
      'defaults.currency',
    ]);
    expect(invalidFields({ ...VALID, defaults: { currency: 'EUR', timezone: 'Mars/Olympus' } })).toEqual([
      'defaults.timezone',
    ]);
    expect(invalidFields({ ...VALID, api: { base: 'ftp://x', credentials: { token: 'x' } } })).toEqual([
      'api.base',
    ]);
    expect(invalidFields({ ...VALID, api: { base: 'https://x.example', credentials: {} } })).toEqual([
      'api.credentials',
    ]);
    expect(
      invalidFields({ ...VALID, api: { base: 'https://x.example', credentials: { token: 7 } } }),
    ).toEqual(['api.credentials']);
    expect(invalidFields({ ...VALID, mapping: { overlay: '{ "unclosed": ' } })).toEqual(['mapping.overlay']);
    expect(invalidFields({ ...VALID, signingSecret: '' })).toEqual(['signingSecret']);
    expect(invalidFields({ ...VALID, storefrontId: 'Shop EU' })).toEqual(['storefrontId']);
    expect(invalidFields({ ...VALID, extra: true })).toEqual(['extra']);
  });

  it('knows IANA time zones through Intl', () => {
    expect(['UTC', 'Asia/Shanghai', 'America/New_York'].map(isTimeZone)).toEqual([true, true, true]);
    expect(['', 'CEST+1', 'Europe/Atlantis', 42].map(isTimeZone)).toEqual([false, false, false, false]);
  });
});
