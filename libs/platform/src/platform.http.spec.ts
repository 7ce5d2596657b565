import type { Server } from 'node:http';
import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Logger,
  Param,
  Post,
  UnauthorizedException,
} from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsInt, IsNotEmpty, IsString, Min, ValidateNested } from 'class-validator';
import request from 'supertest';
import {
  BaseServiceConfig,
  configureHttpApp,
  CurrentPrincipal,
  DomainError,
  hmacSha256,
  loadConfig,
  PlatformModule,
  Principal,
  Public,
  RawBody,
  RequireScopes,
  safeEqual,
  sha256Hex,
} from './index';

// Boots a real Nest app on Express with the platform wired as a service would, and talks HTTP to it.

class TestServiceConfig extends BaseServiceConfig {
  override PORT = 3999;
}

const STOREFRONT_KEY = 'wb_storefront_acme_6f1c2e';
const CARRIER_KEY = 'wb_carrier_dhl_93ab10';
const ADMIN_KEY = 'wb_admin_0c77d4';
const WEBHOOK_SECRET = 'whsec_test';
const DB_PASSWORD = 'pg-password-never-shown';

const baseEnv = {
  LOG_LEVEL: 'error',
  WAYBILL_API_KEYS: JSON.stringify([
    {
      sha256: sha256Hex(STOREFRONT_KEY),
      principal: 'storefront/acme',
      scopes: ['orders:write', 'orders:read'],
    },
    { sha256: sha256Hex(CARRIER_KEY), principal: 'carrier/dhl', scopes: ['shipments:write'] },
    { sha256: sha256Hex(ADMIN_KEY), principal: 'admin', scopes: [] },
  ]),
};

class OrderLineDto {
  @IsString()
  sku!: string;

  @IsInt()
  @Min(1)
  quantity!: number;
}

class PlaceOrderDto {
  @IsString()
  @IsNotEmpty()
  storefrontOrderId!: string;

  @ValidateNested({ each: true })
  @Type(() => OrderLineDto)
  @ArrayMinSize(1)
  lines!: OrderLineDto[];
}

@Controller()
class DummyController {
  @Post('v1/orders')
  @RequireScopes('orders:write')
  place(@Body() order: PlaceOrderDto, @CurrentPrincipal() caller: Principal): object {
    return { placedBy: caller, lines: order.lines.length, lineIsDto: order.lines[0] instanceof OrderLineDto };
  }

  @Get('v1/orders/:id')
  @RequireScopes('orders:read')
  get(@Param('id') id: string): object {
    if (id === 'missing') {
      throw new DomainError('ORDER.NOT_FOUND', `order ${id} does not exist`, {
        kind: 'not-found',
        details: { orderId: id },
      });
    }
    if (id === 'boom') {
      throw new Error(`connect failed: postgres://waybill:${DB_PASSWORD}@db`);
    }
    return { id };
  }

  @Get('v1/whoami')
  whoami(@CurrentPrincipal() caller: Principal): Principal {
    return caller;
  }

  @Public()
  @Get('health/live')
  live(): object {
    return { status: 'ok' };
  }

  @Public()
  @Post('v1/webhooks/carriers/:carrier')
  @HttpCode(200)
  carrierWebhook(
    @RawBody() raw: Buffer,
    @Headers('x-waybill-signature') signature: string | undefined,
  ): object {
    const expected = hmacSha256(WEBHOOK_SECRET, raw).toString('hex');
    if (!signature || !safeEqual(signature, expected)) {
      throw new UnauthorizedException('bad signature');
    }
    return { accepted: true, bytes: raw.length };
  }
}

async function boot(env: Record<string, string> = {}): Promise<NestExpressApplication> {
  const config = loadConfig(TestServiceConfig, { ...baseEnv, ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [PlatformModule.forRoot(config)],
    controllers: [DummyController],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  configureHttpApp(app, config);
  return app.init();
}

const bearer = (key: string): [string, string] => ['Authorization', `Bearer ${key}`];

describe('platform over HTTP', () => {
  let app: NestExpressApplication;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    app = await boot();
    http = request(app.getHttpServer());
  });
  afterAll(() => app.close());

  describe('API keys', () => {
    it('401 with WWW-Authenticate when there is no Authorization header', async () => {
      const res = await http.get('/v1/orders/o-1').expect(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer\b/);
      expect(res.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        code: 'AUTH.MISSING_KEY',
        message: 'missing API key: send Authorization: Bearer <key>',
      });
    });

    it('401 for an unknown key', async () => {
      const res = await http
        .get('/v1/orders/o-1')
        .set(...bearer('wb_unknown'))
        .expect(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer\b.*invalid_token/);
      expect(res.body).toMatchObject({ code: 'AUTH.INVALID_KEY' });
    });

    it('401 for another scheme or an empty bearer token', async () => {
      await http.get('/v1/orders/o-1').set('Authorization', `Basic ${STOREFRONT_KEY}`).expect(401);
      await http.get('/v1/orders/o-1').set('Authorization', 'Bearer ').expect(401);
    });

    it('403 naming the scope when the key lacks it', async () => {
      const res = await http
        .post('/v1/orders')
        .set(...bearer(CARRIER_KEY))
        .send({})
        .expect(403);
      expect(res.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        code: 'AUTH.MISSING_SCOPE',
        message: 'carrier/dhl lacks the required scope orders:write',
        details: { missingScopes: ['orders:write'] },
      });
    });

    it('200 with the scope, and the principal reaches the handler', async () => {
      await http
        .get('/v1/orders/o-1')
        .set(...bearer(STOREFRONT_KEY))
        .expect(200, { id: 'o-1' });
      const res = await http
        .post('/v1/orders')
        .set(...bearer(STOREFRONT_KEY))
        .send({ storefrontOrderId: 'so-1', lines: [{ sku: 'SKU-1', quantity: 2 }] })
        .expect(201);
      expect(res.body).toEqual({
        placedBy: {
          principal: 'storefront/acme',
          kind: 'storefront',
          id: 'acme',
          scopes: ['orders:write', 'orders:read'],
        },
        lines: 1,
        lineIsDto: true,
      });
    });

    it('admin has every scope', async () => {
      await http
        .get('/v1/orders/o-1')
        .set(...bearer(ADMIN_KEY))
        .expect(200);
      const res = await http
        .get('/v1/whoami')
        .set(...bearer(ADMIN_KEY))
        .expect(200);
      expect(res.body).toMatchObject({ principal: 'admin', kind: 'admin', id: 'admin' });
    });

    it('a route without @RequireScopes still needs a valid key; @Public() needs none', async () => {
      await http.get('/v1/whoami').expect(401);
      await http
        .get('/v1/whoami')
        .set(...bearer(CARRIER_KEY))
        .expect(200);
      await http.get('/health/live').expect(200, { status: 'ok' });
    });
  });

  describe('request bodies', () => {
    it('413 with a clear JSON error when the body exceeds the limit', async () => {
      const big = JSON.stringify({ storefrontOrderId: 'x'.repeat(1024 * 1024), lines: [] });
      const res = await http
        .post('/v1/orders')
        .set(...bearer(STOREFRONT_KEY))
        .set('Content-Type', 'application/json')
        .send(big);
      expect(res.status).toBe(413);
      expect(res.body).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        code: 'REQUEST.TOO_LARGE',
        message: 'request body exceeds 1048576 bytes',
      });
    });

    it('400 for invalid JSON, without echoing the body', async () => {
      const res = await http
        .post('/v1/orders')
        .set(...bearer(STOREFRONT_KEY))
        .set('Content-Type', 'application/json')
        .send('{"storefrontOrderId": "so-1", card: 4111111111111111')
        .expect(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        code: 'REQUEST.INVALID_JSON',
        message: 'request body is not valid JSON',
      });
    });

    it('400 naming every invalid field by its path', async () => {
      const res = await http
        .post('/v1/orders')
        .set(...bearer(STOREFRONT_KEY))
        .send({
          storefrontOrderId: '',
          lines: [
            { sku: 'A', quantity: 1 },
            { sku: 7, quantity: 0 },
          ],
          coupon: 'FREE',
        })
        .expect(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
        code: 'REQUEST.VALIDATION_FAILED',
      });
      const fields = (res.body as { details: { fields: { field: string; messages: string[] }[] } }).details
        .fields;
      expect(fields.map((f) => f.field).sort()).toEqual([
        'coupon',
        'lines[1].quantity',
        'lines[1].sku',
        'storefrontOrderId',
      ]);
      for (const { field, messages } of fields) {
        for (const message of messages) {
          expect(message.startsWith(field)).toBe(true);
        }
      }
      expect(res.body.message).toContain('lines[1].quantity must not be less than 1');
      expect(res.body.message).toContain('coupon is not an allowed field');
      expect(res.body.message).toContain('storefrontOrderId should not be empty');
    });

    it('gives webhooks the exact bytes that were signed', async () => {
      // Whitespace and key order matter to the signature; a re-serialised body would not match.
      const payload = '{ "trackingNumber":"JD0001",  "status":"IN_TRANSIT" }\n';
      const signature = hmacSha256(WEBHOOK_SECRET, payload).toString('hex');
      await http
        .post('/v1/webhooks/carriers/dhl')
        .set('Content-Type', 'application/json')
        .set('X-Waybill-Signature', signature)
        .send(payload)
        .expect(200, { accepted: true, bytes: Buffer.byteLength(payload) });
      await http
        .post('/v1/webhooks/carriers/dhl')
        .set('Content-Type', 'application/json')
        .set('X-Waybill-Signature', signature)
        .send(payload.replace('JD0001', 'JD0002'))
        .expect(401);
    });

    it('400 when a webhook arrives without a body', async () => {
      const res = await http.post('/v1/webhooks/carriers/dhl').expect(400);
      expect(res.body).toMatchObject({ code: 'REQUEST.BODY_REQUIRED' });
    });
  });

  describe('errors', () => {
    it('maps a DomainError to its status and code', async () => {
      const res = await http
        .get('/v1/orders/missing')
        .set(...bearer(STOREFRONT_KEY))
        .expect(404);
      expect(res.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        code: 'ORDER.NOT_FOUND',
        message: 'order missing does not exist',
        details: { orderId: 'missing' },
      });
    });

    it('answers an unknown error with a generic 500 and logs it without headers or body', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        const res = await http
          .get('/v1/orders/boom?token=abc')
          .set(...bearer(STOREFRONT_KEY))
          .expect(500);
        expect(res.body).toEqual({
          statusCode: 500,
          error: 'Internal Server Error',
          code: 'INTERNAL',
          message: 'internal server error',
        });
        expect(JSON.stringify(res.body)).not.toContain(DB_PASSWORD);
        expect(logged).toHaveBeenCalledTimes(1);
        const line = JSON.stringify(logged.mock.calls[0]);
        expect(line).toContain('GET /v1/orders/boom failed');
        expect(line).not.toContain(STOREFRONT_KEY);
        expect(line).not.toContain('token=abc');
      } finally {
        logged.mockRestore();
      }
    });

    it('gives unknown routes the same shape', async () => {
      const res = await http.get('/nowhere').expect(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'HTTP.NOT_FOUND' });
    });
  });
});

describe('rate limits over HTTP', () => {
  let app: NestExpressApplication;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    app = await boot({ RATE_LIMIT_PER_MINUTE: '3' });
    http = request(app.getHttpServer());
  });
  afterAll(() => app.close());

  it('429 with Retry-After after N requests, counted per key', async () => {
    for (const remaining of ['2', '1', '0']) {
      const ok = await http
        .get('/v1/whoami')
        .set(...bearer(STOREFRONT_KEY))
        .expect(200);
      expect(ok.headers['ratelimit-limit']).toBe('3');
      expect(ok.headers['ratelimit-remaining']).toBe(remaining);
    }
    const limited = await http
      .get('/v1/whoami')
      .set(...bearer(STOREFRONT_KEY))
      .expect(429);
    expect(limited.headers['retry-after']).toBe('20');
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(limited.body).toMatchObject({
      statusCode: 429,
      error: 'Too Many Requests',
      code: 'RATE_LIMIT.EXCEEDED',
    });

    // Another key has its own bucket.
    await http
      .get('/v1/whoami')
      .set(...bearer(CARRIER_KEY))
      .expect(200);
  });

  it('counts public routes per client IP', async () => {
    for (let i = 0; i < 3; i += 1) {
      await http.get('/health/live').expect(200);
    }
    const limited = await http.get('/health/live').expect(429);
    expect(limited.headers['retry-after']).toBeDefined();
  });
});

describe('configureHttpApp', () => {
  it('refuses an app without PlatformModule, whose routes would be unauthenticated', async () => {
    const config = loadConfig(TestServiceConfig, baseEnv);
    const moduleRef = await Test.createTestingModule({ controllers: [DummyController] }).compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
    expect(() => configureHttpApp(app, config)).toThrow('PlatformModule.forRoot');
    await app.close();
  });

  it('keeps idle keep-alive connections longer than a load balancer does (65 s, or as configured)', async () => {
    for (const [env, keepAliveMs] of [
      [{}, 65_000],
      [{ HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '120' }, 120_000],
    ] as const) {
      const app = await boot(env);
      const server = app.getHttpServer() as Server;
      expect(server.keepAliveTimeout).toBe(keepAliveMs);
      expect(server.headersTimeout).toBeGreaterThan(keepAliveMs);
      await app.close();
    }
  });
});
