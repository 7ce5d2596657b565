import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { demoApiKeyEntries, loadOrCreateState, waybillHome } from './state';

describe('npm start state', () => {
  let home: string;
  beforeEach(() => (home = path.join(mkdtempSync(path.join(tmpdir(), 'wb-state-')), 'home')));
  afterEach(() => rmSync(path.dirname(home), { recursive: true, force: true }));

  it('is made on the first start, private to the user, and the same on the next', () => {
    const first = loadOrCreateState(home);
    expect(first.created).toBe(true);
    expect(statSync(path.join(home, 'state.json')).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const second = loadOrCreateState(home);
    expect(second).toEqual({ state: first.state, created: false });
  });

  it('gives the services hashes of the keys, never the keys', () => {
    const { state } = loadOrCreateState(home);
    const entries = demoApiKeyEntries(state);
    expect(JSON.stringify(entries)).not.toContain(state.keys.storefront);
    expect(JSON.stringify(entries)).not.toContain(state.keys.admin);
    expect(entries).toEqual([
      expect.objectContaining({ principal: 'storefront/demo', scopes: ['orders:write', 'orders:read'] }),
      expect.objectContaining({ principal: 'admin', scopes: [] }),
    ]);
  });

  it('lives in WAYBILL_HOME when set, else .waybill at the repo root', () => {
    expect(waybillHome({ WAYBILL_HOME: home })).toBe(home);
    expect(waybillHome({})).toBe(path.resolve(__dirname, '..', '..', '.waybill'));
  });
});
