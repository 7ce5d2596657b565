import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const CRUISE = path.join(ROOT, 'node_modules', '.bin', 'depcruise');

interface CruiseResult {
  summary: { violations: { rule: { name: string }; from: string; to: string }[] };
}

function cruise(paths: string[]): CruiseResult {
  const output = execFileSync(
    CRUISE,
    [...paths, '--config', '.dependency-cruiser.js', '--output-type', 'json'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(output) as CruiseResult;
}

describe('architecture boundaries', () => {
  it('the codebase keeps them: no service imports another, domain/ imports no framework or database', () => {
    const { violations } = cruise(['services', 'libs', 'tools', 'scripts']).summary;
    expect(violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  });

  it('the rules catch a violation (a probe service importing another and a framework in domain/)', () => {
    const probe = mkdtempSync(path.join(ROOT, 'services', 'zz-probe-'));
    const name = path.basename(probe);
    try {
      mkdirSync(path.join(probe, 'src', 'domain'), { recursive: true });
      writeFileSync(
        path.join(probe, 'src', 'domain', 'rule.ts'),
        `import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n`,
      );
      writeFileSync(
        path.join(probe, 'src', 'leak.ts'),
        `import { x } from '../../order/src/main';\nexport const y = x;\n`,
      );
      const names = cruise([`services/${name}`]).summary.violations.map((v) => v.rule.name);
      expect(names).toEqual(expect.arrayContaining(['domain-is-pure', 'no-service-imports-another-service']));
    } finally {
      rmSync(probe, { recursive: true, force: true });
    }
  });

  it('catches a library importing upwards from tools/ or scripts/', () => {
    const probe = mkdtempSync(path.join(ROOT, 'libs', 'zz-probe-'));
    const name = path.basename(probe);
    try {
      mkdirSync(path.join(probe, 'src'), { recursive: true });
      writeFileSync(
        path.join(probe, 'src', 'upwards.ts'),
        `import { Pacer } from '../../../tools/simulators/party';
import '../../../scripts/kafka';
export const y = Pacer;
`,
      );
      const violations = cruise([`libs/${name}`]).summary.violations.filter(
        (v) => v.rule.name === 'libs-do-not-import-tools-or-scripts',
      );
      expect(violations.map((v) => v.to).sort()).toEqual(['scripts/kafka.ts', 'tools/simulators/party.ts']);
    } finally {
      rmSync(probe, { recursive: true, force: true });
    }
  });

  it('catches a fake partner sharing vendor code: a vendor library, or Waybill’s Standard Webhooks through @waybill/platform', () => {
    const probe = mkdtempSync(path.join(ROOT, 'libs', 'testing', 'src', 'parties', 'zz-probe-'));
    const folder = path.relative(ROOT, probe);
    try {
      writeFileSync(
        path.join(probe, 'fake-vendor.ts'),
        `import Stripe from 'stripe';
import EasyPostClient from '@easypost/api';
import { Webhook } from 'standardwebhooks';
export const libraries = [Stripe, EasyPostClient, Webhook];
`,
      );
      writeFileSync(
        path.join(probe, 'fake-signer.ts'),
        `import { signStandardWebhook } from '@waybill/platform';\nexport const sign = signStandardWebhook;\n`,
      );
      // A spec beside the fakes may hold both sides, to prove they agree.
      writeFileSync(
        path.join(probe, 'agreement.spec.ts'),
        `import { signStandardWebhook } from '@waybill/platform';\nexport const sign = signStandardWebhook;\n`,
      );
      const violations = cruise([folder]).summary.violations.filter(
        (v) => v.rule.name === 'parties-share-no-vendor-code',
      );
      const found = violations.map(
        (v) => `${path.basename(v.from)} -> ${v.to.replace(/^node_modules\/((@[^/]+\/)?[^/]+)\/.*$/, '$1')}`,
      );
      expect(found.sort()).toEqual([
        'fake-signer.ts -> libs/platform/src/webhooks/standard-webhooks.ts',
        'fake-signer.ts -> standardwebhooks',
        'fake-vendor.ts -> @easypost/api',
        'fake-vendor.ts -> standardwebhooks',
        'fake-vendor.ts -> stripe',
      ]);
    } finally {
      rmSync(probe, { recursive: true, force: true });
    }
  });

  it('catches the layer rules: an edge importing persistence/, use cases importing each other, policies importing a use case, src/ importing the test harness', () => {
    const probe = mkdtempSync(path.join(ROOT, 'services', 'zz-probe-'));
    const name = path.basename(probe);
    const write = (file: string, text: string): void => {
      mkdirSync(path.dirname(path.join(probe, file)), { recursive: true });
      writeFileSync(path.join(probe, file), text);
    };
    try {
      write('src/persistence/thing.repository.ts', `export class ThingRepository {}\n`);
      write(
        'src/http/things.controller.ts',
        `import { ThingRepository } from '../persistence/thing.repository';\nexport const c = ThingRepository;\n`,
      );
      write(
        'src/events/thing-events.handlers.ts',
        `import { ThingRepository } from '../persistence/thing.repository';\nexport const h = ThingRepository;\n`,
      );
      write(
        'src/make-thing/make-thing.service.ts',
        `import { ThingRepository } from '../persistence/thing.repository';\nimport { share } from '../policies/share';\nexport const make = [ThingRepository, share];\n`,
      );
      write(
        'src/break-thing/break-thing.service.ts',
        `import { make } from '../make-thing/make-thing.service';\nexport const breakIt = make;\n`,
      );
      // A spec may arrange state through another use case.
      write(
        'src/break-thing/break-thing.int-spec.ts',
        `import { make } from '../make-thing/make-thing.service';\nexport const arranged = make;\n`,
      );
      write('src/policies/share.ts', `export const share = 1;\n`);
      write(
        'src/policies/upwards.ts',
        `import { breakIt } from '../break-thing/break-thing.service';\nexport const up = breakIt;\n`,
      );
      write(
        'src/main.ts',
        `import { waitFor } from '../../../libs/testing/src/wait-for';\nexport const w = waitFor;\n`,
      );

      const found = cruise([`services/${name}`])
        .summary.violations.filter((v) => v.rule.name !== 'no-circular')
        .map(
          (v) =>
            `${v.rule.name}: ${v.from.replace(`services/${name}/src/`, '')} -> ${v.to.replace(`services/${name}/src/`, '')}`,
        );

      expect(found.sort()).toEqual([
        'edges-do-not-import-persistence: events/thing-events.handlers.ts -> persistence/thing.repository.ts',
        'edges-do-not-import-persistence: http/things.controller.ts -> persistence/thing.repository.ts',
        'policies-do-not-import-use-cases: policies/upwards.ts -> break-thing/break-thing.service.ts',
        'src-does-not-import-testing: main.ts -> libs/testing/src/wait-for.ts',
        'use-cases-do-not-import-each-other: break-thing/break-thing.service.ts -> make-thing/make-thing.service.ts',
      ]);
    } finally {
      rmSync(probe, { recursive: true, force: true });
    }
  });

  it('has a use-case int-spec (PostgreSQL, no Kafka) beside every use-case folder of every service', () => {
    // The same layer names as .dependency-cruiser.js: every other folder under src/ is a use case.
    const layers = new Set(
      'domain policies http events persistence providers carriers suppliers channels platforms scheduling'.split(
        ' ',
      ),
    );
    const withoutSpec: string[] = [];
    let folders = 0;
    for (const service of readdirSync(path.join(ROOT, 'services'))) {
      const src = path.join(ROOT, 'services', service, 'src');
      for (const entry of readdirSync(src, { withFileTypes: true })) {
        if (!entry.isDirectory() || layers.has(entry.name)) {
          continue;
        }
        folders += 1;
        if (!readdirSync(path.join(src, entry.name)).some((file) => file.endsWith('.int-spec.ts'))) {
          withoutSpec.push(`services/${service}/src/${entry.name}`);
        }
      }
    }
    expect(folders).toBeGreaterThanOrEqual(20);
    expect(withoutSpec).toEqual([]);
  });
});
