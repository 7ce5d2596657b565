import { addressRefusal, classifyAddress, hostAllowed, urlRefusal } from './network-policy';

const strict = {
  allowedHosts: ['*.supplier.example', '169.254.169.254', 'fe80::1', '127.0.0.1'],
  allowLoopback: false,
  allowPrivateNetworks: false,
};

describe('supplier network policy', () => {
  it.each([
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['::ffff:169.254.1.1', 'link-local'],
    ['::ffff:a9fe:101', 'link-local'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['0.0.0.0', 'reserved'],
    ['::', 'reserved'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['2001:4860:4860::8888', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('refuses link-local addresses even when private networks and loopback are allowed', () => {
    const lax = { ...strict, allowLoopback: true, allowPrivateNetworks: true };
    expect(addressRefusal('169.254.169.254', lax)).toMatch(/link-local/);
    expect(addressRefusal('fe80::1', lax)).toMatch(/link-local/);
    expect(addressRefusal('127.0.0.1', lax)).toBeUndefined();
    expect(addressRefusal('10.0.0.5', lax)).toBeUndefined();
    expect(addressRefusal('127.0.0.1', strict)).toMatch(/loopback/);
    expect(addressRefusal('10.0.0.5', strict)).toMatch(/private/);
  });

  it('refuses a URL off the allow-list, or naming a refused address literally', () => {
    expect(urlRefusal(new URL('https://po.supplier.example/orders'), strict)).toBeUndefined();
    expect(urlRefusal(new URL('https://evil.example/orders'), strict)).toMatch(
      /not on INVENTORY_SUPPLIER_ALLOWED_HOSTS/,
    );
    expect(urlRefusal(new URL('http://169.254.169.254/latest/meta-data'), strict)).toMatch(/link-local/);
    expect(urlRefusal(new URL('http://[fe80::1]/po'), strict)).toMatch(/link-local/);
    expect(urlRefusal(new URL('ftp://po.supplier.example/'), strict)).toMatch(/http/);
  });

  it('matches wildcard entries on subdomains only', () => {
    expect(hostAllowed('a.supplier.example', ['*.supplier.example'])).toBe(true);
    expect(hostAllowed('supplier.example', ['*.supplier.example'])).toBe(false);
    expect(hostAllowed('evilsupplier.example', ['*.supplier.example'])).toBe(false);
  });
});
