import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate } from './test-certificates';

describe('issueCertificate (hand-written DER)', () => {
  it('makes a root ← middle ← leaf chain that Node and, when present, the openssl tool accept', async () => {
    const now = Date.now();
    const window = { notBefore: new Date(now - 60_000), notAfter: new Date(Date.UTC(2051, 0, 1)) };
    const root = await issueCertificate({ name: [['CN', 'Test Root']], serial: 1n, ca: true, ...window });
    const middle = await issueCertificate({
      name: [['CN', 'Test Middle']],
      serial: 2n,
      ca: true,
      issuer: root,
      ...window,
    });
    const leaf = await issueCertificate({
      name: [
        ['C', 'cn'],
        ['OU', 'Enterprises'],
        ['CN', '041@8310000000083040@中国银联股份有限公司@00016495'],
      ],
      // The top bit set: the INTEGER needs its leading zero byte.
      serial: 0x80_00_00_00_01n,
      ca: false,
      issuer: middle,
      notBefore: new Date(Date.UTC(2020, 0, 1)),
      notAfter: new Date(now + 86_400_000),
    });
    expect(leaf.certificate.subject).toBe(
      'C=cn\nOU=Enterprises\nCN=041@8310000000083040@中国银联股份有限公司@00016495',
    );
    expect(BigInt(`0x${leaf.certificate.serialNumber}`)).toBe(0x80_00_00_00_01n);
    expect(
      leaf.certificate.checkIssued(middle.certificate) && middle.certificate.checkIssued(root.certificate),
    ).toBe(true);
    expect(leaf.certificate.verify(middle.certificate.publicKey)).toBe(true);
    expect(middle.certificate.verify(root.certificate.publicKey)).toBe(true);
    expect([root.certificate.ca, middle.certificate.ca, leaf.certificate.ca]).toEqual([true, true, false]);
    expect(new Date(leaf.certificate.validFrom)).toEqual(new Date(Date.UTC(2020, 0, 1)));
    // GeneralizedTime from 2050 on.
    expect(new Date(root.certificate.validTo)).toEqual(new Date(Date.UTC(2051, 0, 1)));

    if (spawnSync('openssl', ['version']).status !== 0) {
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'test-certificates-'));
    try {
      writeFileSync(join(dir, 'root.pem'), root.pem);
      writeFileSync(join(dir, 'middle.pem'), middle.pem);
      writeFileSync(join(dir, 'leaf.pem'), leaf.pem);
      const verify = spawnSync(
        'openssl',
        ['verify', '-x509_strict', '-CAfile', 'root.pem', '-untrusted', 'middle.pem', 'leaf.pem'],
        { cwd: dir, encoding: 'utf8' },
      );
      expect(verify.stdout.trim()).toBe('leaf.pem: OK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
