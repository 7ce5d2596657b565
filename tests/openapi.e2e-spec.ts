import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { configureHttpApp, loadConfig } from '@waybill/platform';
import { apiKeysEnv, testApiKey, uniqueIdentifier } from '@waybill/testing';
import { databaseUrl, dropDatabase, ensureDatabase, resolvePostgres } from '@waybill/local-infra';
import { openApiFile, SERVICE_NAMES, serviceEntry } from '../tools/openapi/service-documents';

/*
 * Each service, built from its real module on a real database and wired by configureHttpApp as
 * main.ts wires it, listening on a port: it serves /docs and /docs-json, what it serves is the
 * committed docs/openapi/<service>.json, and the document lists exactly the routes Express ended up
 * with. Kafka-free on purpose: the relay is off and the Kafka transport is not connected (no
 * route depends on either), so this runs wherever PostgreSQL does.
 */

interface ExpressLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/** `GET /v1/orders/{id}` for every endpoint on the Express router, /docs* (SwaggerModule's own) aside. */
function expressRoutes(app: NestExpressApplication): string[] {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
  return (
    express.router.stack
      .flatMap((layer) => {
        if (!layer.route) {
          return [];
        }
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        return paths.flatMap((path) =>
          Object.keys(layer.route?.methods ?? {})
            .filter((method) => method !== '_all')
            .map((method) => `${method.toUpperCase()} ${path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`),
        );
      })
      .filter((route) => !/^\w+ \/docs/.test(route))
      // Nest mounts middleware bound to every route (nestjs-pino's request logger, …) as a catch-all
      // route per method; it is no endpoint.
      .filter((route) => !route.endsWith(' {/*splat}'))
      .sort()
  );
}

function documentedRoutes(document: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => ['get', 'put', 'post', 'delete', 'patch'].includes(key))
        .map((verb) => `${verb.toUpperCase()} ${path}`),
    )
    .sort();
}

describe.each(SERVICE_NAMES)('the running %s service documents its API', (name) => {
  let app: NestExpressApplication;
  let adminUrl: string;
  let database: string;

  beforeAll(async () => {
    ({ adminUrl } = await resolvePostgres());
    database = uniqueIdentifier(`openapi_${name}`);
    await ensureDatabase(adminUrl, database);
    const entry = serviceEntry(name);
    const config = loadConfig(entry.config, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      PORT: '1',
      KAFKA_BROKERS: '127.0.0.1:1',
      OUTBOX_RELAY_ENABLED: 'false',
      DATABASE_URL: databaseUrl(adminUrl, database),
      DATABASE_NAME: database,
      // A key exists, so a route needing one would answer 401 to the keyless requests below.
      WAYBILL_API_KEYS: apiKeysEnv([testApiKey('admin', [])]),
    });
    app = await NestFactory.create<NestExpressApplication>(entry.module(config), { logger: ['error'] });
    configureHttpApp(app, config, { service: entry.service });
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    if (database) {
      await dropDatabase(adminUrl, database);
    }
  });

  it('serves Swagger UI at /docs and the document at /docs-json, without an API key', async () => {
    const http = request(app.getHttpServer());
    const html = await http.get('/docs').expect(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.text).toContain(`<title>Waybill ${name} API</title>`);

    const json = await http.get('/docs-json').expect(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.body).toMatchObject({ openapi: '3.1.0', info: { title: `Waybill ${name} API` } });
  });

  it(`serves what docs/openapi/${name}.json holds`, async () => {
    const json = await request(app.getHttpServer()).get('/docs-json').expect(200);
    expect(json.body).toEqual(JSON.parse(readFileSync(openApiFile(name), 'utf8')));
  });

  it('documents exactly the routes Express has registered', async () => {
    const json = await request(app.getHttpServer()).get('/docs-json').expect(200);
    const registered = expressRoutes(app);
    expect(registered).toContain('GET /health/ready');
    expect(documentedRoutes(json.body)).toEqual(registered);
  });
});
