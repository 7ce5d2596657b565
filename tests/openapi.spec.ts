import Ajv, { ValidateFunction } from 'ajv';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createValidationPipe } from '@waybill/platform';
import {
  GENERATE_OPENAPI_COMMAND,
  openApiFile,
  renderOpenApiFile,
  SERVICE_NAMES,
  serviceDocument,
  ServiceDocument,
} from '../tools/openapi/service-documents';

/*
 * Each service's OpenAPI document, generated exactly as the service builds it at boot (without a
 * database: the app is built in preview mode), checked with Redocly's own linter and against the
 * routes Nest maps. tests/openapi.e2e-spec.ts checks a running service serves the same document.
 */

const ROOT = path.resolve(__dirname, '..');
const REDOCLY = path.join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
const ERROR_BODY_REF = '#/components/schemas/ErrorBody';
const VERBS = ['get', 'put', 'post', 'delete', 'patch'] as const;

type Json = Record<string, unknown>;
interface Media {
  schema?: Json;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
interface Operation {
  operationId: string;
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; schema?: Json & { examples?: unknown[] } }[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
}

function operations(document: ServiceDocument['document']): [string, Operation][] {
  return Object.entries(document.paths).flatMap(([route, item]) =>
    VERBS.filter((verb) => (item as Json)[verb]).map((verb): [string, Operation] => [
      `${verb.toUpperCase()} ${route}`,
      (item as Json)[verb] as Operation,
    ]),
  );
}

/** Inlines `#/components/schemas/X` so each schema compiles on its own. */
function deref(node: unknown, document: ServiceDocument['document']): unknown {
  if (Array.isArray(node)) {
    return node.map((item) => deref(item, document));
  }
  if (typeof node !== 'object' || node === null) {
    return node;
  }
  const { $ref, ...rest } = node as Json;
  if (typeof $ref === 'string') {
    const name = $ref.replace('#/components/schemas/', '');
    const target = document.components?.schemas?.[name];
    if (!target) {
      throw new Error(`dangling $ref ${$ref}`);
    }
    return deref(target, document);
  }
  return Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, deref(value, document)]));
}

/** As strict as the event-schema specs: an unknown keyword fails, formats are checked. */
function newAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true });
  // OpenAPI's annotation keyword, as emitted by @nestjs/terminus's health schema.
  ajv.addVocabulary(['example']);
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
  ajv.addFormat('date-time', (text: string) => !Number.isNaN(Date.parse(text)) && /T/.test(text));
  return ajv;
}

function validator(ajv: Ajv, schema: unknown, document: ServiceDocument['document']): ValidateFunction {
  return ajv.compile(deref(schema, document) as Json);
}

function examplesOf(media: Media): unknown[] {
  return [
    ...(media.example !== undefined ? [media.example] : []),
    ...Object.values(media.examples ?? {}).map((example) => example.value),
  ];
}

describe.each(SERVICE_NAMES)('the OpenAPI document of the %s service', (name) => {
  let built: ServiceDocument;
  beforeAll(async () => {
    built = await serviceDocument(name);
  });

  it('passes `redocly lint` with the recommended ruleset: no errors, no warnings but the licence, offline', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'waybill-openapi-'));
    try {
      const file = path.join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(built.document));
      const run = spawnSync(
        process.execPath,
        [REDOCLY, 'lint', '--extends', 'recommended', '--format', 'json', file],
        {
          encoding: 'utf8',
          // No usage telemetry and no update check: the lint must not need the network.
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
          timeout: 60_000,
        },
      );
      const report = JSON.parse(run.stdout) as {
        totals: { errors: number };
        problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
      };
      const errors = report.problems
        .filter((problem) => problem.severity === 'error')
        .map((problem) => `${problem.ruleId} at ${problem.location[0]?.pointer}: ${problem.message}`);
      expect(errors).toEqual([]);
      expect(report.totals.errors).toBe(0);
      // Warnings too (e.g. an example that breaks its schema), but for the licence: Waybill is
      // UNLICENSED, which has neither an SPDX identifier nor a URL.
      const warnings = report.problems
        .filter((problem) => problem.severity === 'warn' && problem.ruleId !== 'info-license-strict')
        .map((problem) => `${problem.ruleId} at ${problem.location[0]?.pointer}: ${problem.message}`);
      expect(warnings).toEqual([]);
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('documents every route Nest maps for the service, and no other', () => {
    expect(built.routes.length).toBeGreaterThan(3);
    expect(
      operations(built.document)
        .map(([route]) => route)
        .sort(),
    ).toEqual(built.routes);
  });

  it('gives every operation a summary, a security requirement and 4xx answers that are ErrorBody', () => {
    for (const [route, operation] of operations(built.document)) {
      expect({ route, summary: typeof operation.summary }).toEqual({ route, summary: 'string' });
      expect({ route, security: Array.isArray(operation.security) }).toEqual({ route, security: true });
      const errors = Object.entries(operation.responses).filter(([status]) => /^[45]/.test(status));
      expect({ route, has4xx: errors.some(([status]) => status.startsWith('4')) }).toEqual({
        route,
        has4xx: true,
      });
      for (const [status, response] of errors) {
        const ref = response.content?.['application/json']?.schema?.$ref;
        expect({ route, status, ref }).toEqual({ route, status, ref: ERROR_BODY_REF });
      }
    }
  });

  it('answers 401 and 403 exactly where an API key is required, and names its scopes', () => {
    for (const [route, operation] of operations(built.document)) {
      const needsKey = (operation.security ?? []).length > 0;
      expect({ route, 401: '401' in operation.responses, 403: '403' in operation.responses }).toEqual({
        route,
        401: needsKey || route.includes('/webhooks/'),
        403: needsKey,
      });
      if (needsKey) {
        expect({ route, scopes: Array.isArray((operation as unknown as Json)['x-required-scopes']) }).toEqual(
          {
            route,
            scopes: true,
          },
        );
      }
    }
  });

  it('has a request example for every body, valid against the body schema', () => {
    const ajv = newAjv();
    let checked = 0;
    for (const [route, operation] of operations(built.document)) {
      for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
        const examples = examplesOf(media);
        expect({ route, type, examples: examples.length }).toEqual({ route, type, examples: 1 });
        const validate = validator(ajv, media.schema, built.document);
        for (const example of examples) {
          expect({ route, valid: validate(example), errors: validate.errors ?? null }).toEqual({
            route,
            valid: true,
            errors: null,
          });
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it("has request examples the service's own validation pipe accepts, one for every DTO body", async () => {
    const pipe = createValidationPipe();
    const checked: string[] = [];
    for (const [route, operation] of operations(built.document)) {
      const dto = built.bodyTypes.get(operation.operationId);
      if (!dto) {
        continue;
      }
      for (const media of Object.values(operation.requestBody?.content ?? {})) {
        for (const example of examplesOf(media)) {
          await expect(
            pipe.transform(structuredClone(example), { type: 'body', metatype: dto }),
          ).resolves.toBeInstanceOf(dto);
          checked.push(route);
        }
      }
    }
    expect(new Set(checked).size).toBe(built.bodyTypes.size);
  });

  it('has parameter examples (e.g. Idempotency-Key, signature headers) valid against their schemas', () => {
    const ajv = newAjv();
    for (const [route, operation] of operations(built.document)) {
      for (const parameter of operation.parameters ?? []) {
        const { examples = [], ...schema } = parameter.schema ?? {};
        const validate = validator(ajv, schema, built.document);
        for (const example of examples) {
          expect({ route, parameter: parameter.name, valid: validate(example) }).toEqual({
            route,
            parameter: parameter.name,
            valid: true,
          });
        }
      }
    }
  });

  it('has an example for every answer, valid against its schema (every error example is an ErrorBody)', () => {
    const ajv = newAjv();
    for (const [route, operation] of operations(built.document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          const examples = examplesOf(media);
          expect({ route, status, type, hasExample: examples.length > 0 }).toEqual({
            route,
            status,
            type,
            hasExample: true,
          });
          if (!type.startsWith('application/json')) {
            continue;
          }
          const validate = validator(ajv, media.schema, built.document);
          for (const example of examples) {
            expect({ route, status, valid: validate(example), errors: validate.errors ?? null }).toEqual({
              route,
              status,
              valid: true,
              errors: null,
            });
          }
        }
      }
    }
  });

  it('describes every JSON answer with a schema, not just `type: object`', () => {
    for (const [route, operation] of operations(built.document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const schema = response.content?.['application/json']?.schema;
        if (!schema) {
          continue;
        }
        const described = deref(schema, built.document) as Json;
        expect({
          route,
          status,
          described: described.properties !== undefined || described.additionalProperties !== undefined,
        }).toEqual({
          route,
          status,
          described: true,
        });
      }
    }
  });

  it(`is committed as generated in docs/openapi/${name}.json`, () => {
    const committed = readFileSync(openApiFile(name), 'utf8');
    if (committed !== renderOpenApiFile(built.document)) {
      throw new Error(
        `docs/openapi/${name}.json is out of date. Run \`${GENERATE_OPENAPI_COMMAND}\` and commit it.`,
      );
    }
  });
});
