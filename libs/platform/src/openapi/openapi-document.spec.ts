import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import request from 'supertest';
import { IsNestedArray } from '@waybill/contracts';
import { BaseServiceConfig } from '../config/base-service.config';
import { loadConfig } from '../config/load-config';
import { configureHttpApp } from '../http/configure-http-app';
import { sha256Hex } from '../auth/api-key-config';
import { Public, RequireScopes } from '../auth/auth.decorators';
import { PlatformModule } from '../platform.module';
import { RawBody } from '../webhooks/raw-body.decorator';
import { ApiDoc } from './api-doc.decorator';
import Ajv from 'ajv';
import { buildOpenApiDocument, ERROR_BODY_REF, ERROR_BODY_SCHEMA } from './openapi-document';

// A small app wired as a service is: the document it serves, and how it derives each part from code.

class TestConfig extends BaseServiceConfig {
  override PORT = 3999;
}

class LineDto {
  @Length(1, 64)
  @Matches(/^[A-Z0-9-]+$/)
  @IsString()
  sku!: string;

  @Min(1)
  @Max(10)
  @IsInt()
  quantity!: number;
}

class CreateThingBody {
  @Length(1, 20)
  @IsString()
  name!: string;

  @IsOptional()
  @IsIn(['small', 'large'])
  size?: string;

  @IsNestedArray(() => LineDto, 1, 5)
  lines!: LineDto[];
}

class ListQuery {
  @IsOptional()
  @Type(() => Number)
  @Min(1)
  @Max(50)
  @IsInt()
  limit?: number;

  @IsString()
  owner!: string;
}

@Controller('v1/things')
@RequireScopes('things:read')
class ThingsController {
  @Post()
  @RequireScopes('things:write')
  @ApiDoc({
    summary: 'Create a thing',
    requestExample: { name: 'mug', lines: [{ sku: 'MUG-1', quantity: 2 }] },
    response: { description: 'The thing.', example: { id: 't-1' } },
    errors: [{ status: 409, code: 'THING.EXISTS', description: 'Already there.' }],
  })
  create(@Body() body: CreateThingBody): object {
    return { id: body.name };
  }

  @Get()
  list(@Query() query: ListQuery): object {
    return { items: [], limit: query.limit ?? 10 };
  }

  @Get(':id')
  get(@Param('id', new ParseUUIDPipe()) id: string): object {
    return { id };
  }

  @Public()
  @Post('webhooks/:sender')
  @HttpCode(200)
  @ApiDoc({
    summary: 'A signed webhook',
    webhook: { signature: 'X-Signature' },
    response: { description: 'ok' },
  })
  webhook(@RawBody() raw: Buffer): object {
    return { bytes: raw.length };
  }
}

async function boot(env: Record<string, string> = {}): Promise<NestExpressApplication> {
  const config = loadConfig(TestConfig, { LOG_LEVEL: 'error', WAYBILL_API_KEYS: '[]', ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [PlatformModule.forRoot(config)],
    controllers: [ThingsController],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureHttpApp(app, config, { service: 'things' });
  return app.init();
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('the OpenAPI document a service builds from its code', () => {
  let app: NestExpressApplication;
  let doc: Json;

  beforeAll(async () => {
    app = await boot();
    doc = buildOpenApiDocument(app, { service: 'things' }) as Json;
  });
  afterAll(() => app.close());

  it('takes body schemas from the class-validator rules, nested classes and unknown fields included', () => {
    expect(doc.paths['/v1/things'].post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CreateThingBody',
    });
    const schema = doc.components.schemas.CreateThingBody;
    expect(schema.required).toEqual(['name', 'lines']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.name).toEqual({ type: 'string', minLength: 1, maxLength: 20 });
    expect(schema.properties.size).toMatchObject({ enum: ['small', 'large'] });
    expect(schema.properties.lines).toMatchObject({ type: 'array', minItems: 1, maxItems: 5 });
    expect(schema.properties.lines.items).toEqual({
      type: 'object',
      properties: {
        sku: { type: 'string', pattern: '^[A-Z0-9-]+$', minLength: 1, maxLength: 64 },
        quantity: { type: 'integer', minimum: 1, maximum: 10 },
      },
      required: ['sku', 'quantity'],
      additionalProperties: false,
    });
  });

  it('turns a query DTO into query parameters, and a ParseUUIDPipe into format uuid', () => {
    expect(doc.paths['/v1/things'].get.parameters).toEqual([
      { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 50 } },
      { name: 'owner', in: 'query', required: true, schema: { type: 'string' } },
    ]);
    expect(doc.paths['/v1/things/{id}'].get.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
    ]);
  });

  it('requires the API key and the scopes of class and method together, as the guard does', () => {
    const create = doc.paths['/v1/things'].post;
    expect(create.security).toEqual([{ apiKey: [] }]);
    expect(create['x-required-scopes']).toEqual(['things:write', 'things:read']);
    expect(doc.paths['/v1/things'].get['x-required-scopes']).toEqual(['things:read']);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('derives the errors every route can give, each an ErrorBody, and adds the documented ones', () => {
    const statuses = (path: string, verb: string): string[] => Object.keys(doc.paths[path][verb].responses);
    expect(statuses('/v1/things', 'post')).toEqual(['201', '400', '401', '403', '409', '413', '429']);
    expect(statuses('/v1/things', 'get')).toEqual(['200', '400', '401', '403', '429']);
    const conflict = doc.paths['/v1/things'].post.responses['409'].content['application/json'];
    expect(conflict.schema).toEqual({ $ref: ERROR_BODY_REF });
    expect(conflict.examples['THING.EXISTS'].value).toEqual({
      statusCode: 409,
      error: 'Conflict',
      code: 'THING.EXISTS',
      message: 'Already there.',
    });
  });

  it('documents a public webhook without API key: signature errors, a raw JSON body, no 403', () => {
    const webhook = doc.paths['/v1/things/webhooks/{sender}'].post;
    expect(webhook.security).toEqual([]);
    expect(webhook['x-required-scopes']).toBeUndefined();
    expect(Object.keys(webhook.responses)).toEqual(['200', '400', '401', '413', '429']);
    expect(webhook.responses['401'].content['application/json'].examples).toHaveProperty([
      'WEBHOOK.SIGNATURE_MISMATCH',
    ]);
    expect(webhook.requestBody.content['application/json'].schema).toEqual({ type: 'object' });
  });

  it('serves the document at /docs-json and Swagger UI at /docs, without an API key', async () => {
    const http = request(app.getHttpServer());
    const json = await http.get('/docs-json').expect(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.body).toEqual(doc);
    expect(json.body.info.title).toBe('Waybill things API');

    const html = await http.get('/docs').expect(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.text).toContain('swagger-ui');
    // The UI's script comes from this service (swagger-ui-dist), not a CDN.
    const script = /src="\.?\/?(?:docs\/)?([^"]*swagger-ui-bundle\.js)"/.exec(html.text)?.[1];
    expect(script).toBeDefined();
    await http.get(`/docs/${script}`).expect(200);
  });
});

describe('the ErrorBody schema', () => {
  const key = 'wb_admin_openapi_spec';
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await boot({
      WAYBILL_API_KEYS: JSON.stringify([{ sha256: sha256Hex(key), principal: 'admin', scopes: [] }]),
    });
  });
  afterAll(() => app.close());

  it('describes what the exception filter really answers: 401, 400 with field details, bad JSON, 404, 413', async () => {
    const validate = new Ajv({ strict: true, allErrors: true }).compile(ERROR_BODY_SCHEMA);
    const http = request(app.getHttpServer());
    const answers = [
      await http.get('/v1/things').expect(401),
      await http
        .post('/v1/things')
        .set('Authorization', `Bearer ${key}`)
        .send({ name: '', lines: [{}] })
        .expect(400),
      await http
        .post('/v1/things/webhooks/acme')
        .set('Content-Type', 'application/json')
        .send('{')
        .expect(400),
      await http.get('/v1/nowhere').expect(404),
      await http
        .post('/v1/things/webhooks/acme')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }))
        .expect(413),
    ];
    expect(answers[1].body).toMatchObject({
      code: 'REQUEST.VALIDATION_FAILED',
      details: { fields: expect.any(Array) },
    });
    for (const answer of answers) {
      expect({
        body: answer.body as unknown,
        valid: validate(answer.body),
        errors: validate.errors ?? null,
      }).toEqual({
        body: answer.body as unknown,
        valid: true,
        errors: null,
      });
    }
  });
});

describe('/docs beside the API-key guard, the rate limit and raw-body webhooks', () => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await boot({ RATE_LIMIT_PER_MINUTE: '2' });
  });
  afterAll(() => app.close());

  it('spends no rate-limit budget, and a webhook still gets its raw body byte for byte', async () => {
    const http = request(app.getHttpServer());
    for (let i = 0; i < 4; i += 1) {
      await http.get('/docs-json').expect(200);
    }
    const body = '{"b": 1,  "a": 2}';
    const res = await http
      .post('/v1/things/webhooks/acme')
      .set('Content-Type', 'application/json')
      .send(body)
      .expect(200);
    expect(res.body).toEqual({ bytes: Buffer.byteLength(body) });
  });
});
