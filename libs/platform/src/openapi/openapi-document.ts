import { INestApplication, ParseUUIDPipe, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { classJsonSchema, JsonSchema } from '@waybill/contracts';
import { STATUS_CODES } from 'node:http';
import { IS_PUBLIC, REQUIRED_SCOPES } from '../auth/auth.decorators';
import { API_DOC, ApiDocOptions } from './api-doc.decorator';

export interface ApiDocsInfo {
  /** e.g. `order`: the title becomes `Waybill order API`. */
  readonly service: string;
  readonly description?: string;
}

/** The security scheme every non-public operation requires. */
export const API_KEY_SCHEME = 'apiKey';
export const ERROR_BODY_REF = '#/components/schemas/ErrorBody';

/** The schema of ErrorBody (platform-exception.filter.ts), the one error shape of every API. */
export const ERROR_BODY_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'The one error shape every Waybill HTTP API answers with.',
  properties: {
    statusCode: { type: 'integer', minimum: 400, maximum: 599 },
    error: { type: 'string', description: 'The HTTP reason phrase, e.g. `Payload Too Large`.' },
    code: {
      type: 'string',
      description: 'Stable and machine-readable, e.g. `ORDER.NOT_FOUND`, `AUTH.MISSING_SCOPE`.',
    },
    message: { type: 'string' },
    details: { description: 'Structured detail, e.g. `{ fields: [{ field, messages }] }` for 400.' },
  },
  required: ['statusCode', 'error', 'code', 'message'],
  additionalProperties: false,
};

interface ErrorDoc {
  readonly status: number;
  readonly code: string;
  readonly description: string;
}

/** Errors every route of a kind can answer with, whatever its handler does. */
const DERIVED_ERRORS = {
  validation: {
    status: 400,
    code: 'REQUEST.VALIDATION_FAILED',
    description: 'A parameter or the body breaks the schema; `details.fields` names each field.',
  },
  missingKey: {
    status: 401,
    code: 'AUTH.MISSING_KEY',
    description: 'No API key, or an unknown one (`AUTH.INVALID_KEY`).',
  },
  missingScope: {
    status: 403,
    code: 'AUTH.MISSING_SCOPE',
    description: 'The key lacks a required scope; `details.missingScopes` lists them.',
  },
  tooLarge: {
    status: 413,
    code: 'REQUEST.TOO_LARGE',
    description: 'The body is larger than `HTTP_BODY_LIMIT_BYTES`.',
  },
  rateLimited: {
    status: 429,
    code: 'RATE_LIMIT.EXCEEDED',
    description: 'Too many requests from this key (or client IP when public); see `Retry-After`.',
  },
  webhookMalformed: {
    status: 400,
    code: 'WEBHOOK.PAYLOAD_MALFORMED',
    description: 'A signature header is missing or malformed, or the body is not what the sender documents.',
  },
  webhookSignature: {
    status: 401,
    code: 'WEBHOOK.SIGNATURE_MISMATCH',
    description:
      'The signature matches no configured secret, its timestamp is outside the tolerance ' +
      '(`WEBHOOK.TIMESTAMP_OUT_OF_TOLERANCE`), or no secret is configured (`WEBHOOK.NOT_CONFIGURED`).',
  },
} satisfies Record<string, ErrorDoc>;

export interface RouteHandler {
  readonly controller: new (...args: never[]) => object;
  readonly methodName: string;
  readonly handler: (...args: unknown[]) => unknown;
}

type Json = Record<string, unknown>;
type Parameter = { name: string; in: string; required?: boolean; schema?: Json; description?: string };
type Operation = Json & { operationId: string; parameters?: Parameter[]; responses: Record<string, Json> };

/**
 * The OpenAPI 3.1 document of a service, generated from its code: @nestjs/swagger finds the routes,
 * their parameters and `@Body()` types; the schemas of DTO classes come from their class-validator
 * rules (the same converter as the event schemas), so the document states exactly what the
 * validation pipe enforces; API key, scopes and the errors every route can give are read from the
 * same metadata the guards use. `@ApiDoc()` adds what code cannot say: summary, examples, domain
 * errors. Works on an app built with `{ preview: true }` (no database, nothing started).
 */
export function buildOpenApiDocument(app: INestApplication, info: ApiDocsInfo): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle(`Waybill ${info.service} API`)
    .setDescription(
      info.description ??
        `The HTTP API of Waybill's ${info.service} service. Errors are always an ErrorBody. ` +
          'Events this service publishes and consumes are described in docs/asyncapi.yaml.',
    )
    .setVersion('1')
    // Relative: the document describes the service that serves it, wherever it is deployed.
    .addServer('/', `the ${info.service} service`)
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description:
          'An API key as `Authorization: Bearer <key>`; what it may do is its scopes (`WAYBILL_API_KEYS`).',
      },
      API_KEY_SCHEME,
    )
    .build();
  // package.json says UNLICENSED: proprietary, no public licence URL to point at.
  config.info.license = { name: 'Proprietary (UNLICENSED)' };
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller}_${method}`,
  });
  const handlers = routeHandlers(app);
  const schemas: Record<string, JsonSchema> = { ErrorBody: ERROR_BODY_SCHEMA };

  for (const [path, item] of Object.entries(document.paths)) {
    for (const [verb, value] of Object.entries(item as Record<string, unknown>)) {
      if (!isHttpVerb(verb)) {
        continue;
      }
      const operation = value as Operation;
      const route = handlers.get(operation.operationId);
      if (!route) {
        throw new Error(`OpenAPI: no handler for ${verb.toUpperCase()} ${path} (${operation.operationId})`);
      }
      describeOperation(operation, route, schemas);
    }
  }
  document.components = { ...document.components, schemas };
  // Through JSON: drops `undefined` members, so the served document equals the committed file.
  return JSON.parse(JSON.stringify(document)) as OpenAPIObject;
}

function isHttpVerb(key: string): boolean {
  return ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(key);
}

/** Every controller method with an HTTP route, by the operationId swagger gives it. */
export function routeHandlers(app: INestApplication): Map<string, RouteHandler> {
  const found = new Map<string, RouteHandler>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (!controller || Reflect.getMetadata(PATH_METADATA, controller) === undefined) {
        continue;
      }
      const prototype = controller.prototype as Record<string, unknown>;
      for (const methodName of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[methodName];
        if (methodName === 'constructor' || typeof handler !== 'function') {
          continue;
        }
        if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) {
          continue;
        }
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) {
          continue;
        }
        found.set(`${controller.name}_${methodName}`, {
          controller,
          methodName,
          handler: handler as RouteHandler['handler'],
        });
      }
    }
  }
  return found;
}

/** Every HTTP route Nest maps, as `GET /v1/orders/{id}` (OpenAPI path syntax). */
export function nestRoutes(app: INestApplication): string[] {
  const routes: string[] = [];
  for (const { controller, handler } of routeHandlers(app).values()) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const own = Reflect.getMetadata(PATH_METADATA, handler) as string | string[];
    const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
    for (const path of Array.isArray(own) ? own : [own]) {
      const joined = `/${[base, path]
        .map((part) => part.replace(/^\/+|\/+$/g, ''))
        .filter(Boolean)
        .join('/')}`;
      routes.push(`${method} ${joined.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
    }
  }
  return routes.sort();
}

function metadata<T>(key: string, route: RouteHandler): T[] {
  return [route.handler, route.controller]
    .map((target) => Reflect.getMetadata(key, target) as T | undefined)
    .filter((value): value is T => value !== undefined);
}

function describeOperation(
  operation: Operation,
  route: RouteHandler,
  schemas: Record<string, JsonSchema>,
): void {
  const doc = metadata<ApiDocOptions>(API_DOC, route)[0];
  // The guard's own reading: the handler's @Public() wins over the class's; scopes of both apply.
  const isPublic = metadata<boolean>(IS_PUBLIC, route)[0] === true;
  const scopes = metadata<string[]>(REQUIRED_SCOPES, route).flat();
  const takesInput = describeParameters(operation, route, schemas);

  if (doc) {
    operation.summary = doc.summary;
    if (doc.description) {
      operation.description = doc.description;
    }
  }
  const access = isPublic
    ? doc?.webhook
      ? `No API key: the sender signs the raw body (${doc.webhook.signature}); a bad or stale signature is a 401.`
      : 'Public: no API key.'
    : scopes.length > 0
      ? `API key with scope${scopes.length > 1 ? 's' : ''} ${scopes.map((s) => `\`${s}\``).join(', ')}.`
      : 'Any valid API key.';
  operation.description = [operation.description, access].filter(Boolean).join('\n\n');
  operation.security = isPublic ? [] : [{ [API_KEY_SCHEME]: [] }];
  if (!isPublic) {
    operation['x-required-scopes'] = scopes;
  }

  for (const header of doc?.headers ?? []) {
    (operation.parameters ??= []).push({
      name: header.name,
      in: 'header',
      required: header.required ?? false,
      description: header.description,
      schema: {
        ...(header.schema ?? { type: 'string' }),
        ...(header.example !== undefined && { examples: [header.example] }),
      },
    });
  }
  if (doc?.webhook) {
    operation.requestBody = {
      required: true,
      description: `The sender's own JSON, verified byte for byte against ${doc.webhook.signature}.`,
      content: {
        'application/json': {
          schema: { type: 'object' },
          ...(doc.requestExample !== undefined && { example: doc.requestExample }),
        },
      },
    };
  } else if (doc?.requestExample !== undefined && operation.requestBody) {
    const content = (operation.requestBody as Json).content as Record<string, Json>;
    for (const media of Object.values(content)) {
      media.example = doc.requestExample;
    }
  }

  const responses: Record<string, Json> = {};
  const successStatus = Object.keys(operation.responses).find((status) => /^2/.test(status)) ?? '200';
  const existing = operation.responses[successStatus]?.content as Record<string, Json> | undefined;
  const contentType = doc?.response.contentType ?? 'application/json';
  responses[successStatus] = {
    description: doc?.response.description ?? STATUS_CODES[Number(successStatus)] ?? 'OK',
    ...(doc?.response.headers && {
      headers: Object.fromEntries(
        Object.entries(doc.response.headers).map(([name, description]) => [
          name,
          { description, schema: { type: 'string' } },
        ]),
      ),
    }),
    content: {
      [contentType]: {
        schema:
          (doc?.response.schema && hoistNamed(doc.response.schema, schemas)) ??
          existing?.['application/json']?.schema ??
          (contentType === 'application/json' ? { type: 'object' } : { type: 'string' }),
        ...(doc?.response.example !== undefined && { example: doc.response.example }),
      },
    },
  };
  for (const [status, other] of Object.entries(doc?.otherResponses ?? {})) {
    responses[status] = {
      description: other.description,
      content: {
        'application/json': {
          schema: other.schema ? hoistNamed(other.schema, schemas) : { type: 'object' },
          ...(other.example !== undefined && { example: other.example }),
        },
      },
    };
  }

  const errors: ErrorDoc[] = [];
  if (doc?.webhook) {
    errors.push(DERIVED_ERRORS.webhookMalformed, DERIVED_ERRORS.webhookSignature);
  } else if (takesInput) {
    errors.push(DERIVED_ERRORS.validation);
  }
  if (!isPublic) {
    errors.push(DERIVED_ERRORS.missingKey, DERIVED_ERRORS.missingScope);
  }
  if (operation.requestBody) {
    errors.push(DERIVED_ERRORS.tooLarge);
  }
  errors.push(...(doc?.errors ?? []));
  // Every Nest route passes the rate-limit guard (per key, or per client IP when public).
  errors.push(DERIVED_ERRORS.rateLimited);
  for (const error of errors) {
    const key = String(error.status);
    const example = {
      statusCode: error.status,
      error: STATUS_CODES[error.status] ?? 'Error',
      code: error.code,
      message: error.description,
    };
    const previous = responses[key];
    if (previous) {
      // Two causes share a status (e.g. a bad signature and a missing key are both 401).
      previous.description = `${String(previous.description)} ${error.description}`;
      const media = (previous.content as Record<string, Json>)['application/json'];
      media.examples = { ...(media.examples as Json), [error.code]: { value: example } };
      continue;
    }
    responses[key] = {
      description: error.description,
      ...(error.status === 429 && {
        headers: {
          'Retry-After': {
            description: 'Seconds until a request is allowed again.',
            schema: { type: 'integer' },
          },
        },
      }),
      content: {
        'application/json': {
          schema: { $ref: ERROR_BODY_REF },
          examples: { [error.code]: { value: example } },
        },
      },
    };
  }
  operation.responses = responses;
}

export interface RouteArgument {
  readonly kind: RouteParamtypes;
  /** The parameter's class when it is a DTO (not a primitive, Buffer or plain object). */
  readonly dto?: new () => object;
  /** e.g. `'id'` in `@Param('id')`; undefined for the whole body, query or params. */
  readonly data?: unknown;
  readonly pipes: readonly unknown[];
}

/** A route's parameters as Nest binds them: `@Body()`, `@Query()`, `@Param()`… with their types. */
export function routeArguments(route: RouteHandler): RouteArgument[] {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, route.controller, route.methodName) ?? {}) as Record<
    string,
    { index: number; data?: unknown; pipes?: unknown[] }
  >;
  const types = (Reflect.getMetadata(
    'design:paramtypes',
    route.controller.prototype as object,
    route.methodName,
  ) ?? []) as unknown[];
  return Object.entries(args).map(([key, arg]) => {
    const type = types[arg.index];
    const isDto =
      typeof type === 'function' && ![String, Number, Boolean, Object, Array, Buffer].includes(type as never);
    return {
      kind: Number(key.split(':')[0]),
      ...(isDto && { dto: type as new () => object }),
      data: arg.data,
      pipes: arg.pipes ?? [],
    };
  });
}

/**
 * Replaces what swagger can only guess without `@ApiProperty` (an empty body schema, no query
 * parameters for a query DTO) by the schemas of the DTO classes. Returns whether the route takes
 * any input the validation pipe checks.
 */
function describeParameters(
  operation: Operation,
  route: RouteHandler,
  schemas: Record<string, JsonSchema>,
): boolean {
  let takesInput = false;
  for (const { kind, dto, data, pipes } of routeArguments(route)) {
    if (kind === RouteParamtypes.BODY && dto) {
      schemas[dto.name] = schemaOf(dto);
      takesInput = true;
    } else if (
      (kind === RouteParamtypes.QUERY || kind === RouteParamtypes.PARAM) &&
      dto &&
      data === undefined
    ) {
      const location = kind === RouteParamtypes.QUERY ? 'query' : 'path';
      const schema = schemaOf(dto);
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const own = (operation.parameters ?? []).filter((p) => p.in !== location);
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      operation.parameters = [
        ...Object.entries(properties).map(([name, property]) => {
          const { description, ...propertySchema } = property;
          return {
            name,
            in: location,
            required: location === 'path' || required.has(name),
            ...(typeof description === 'string' && { description }),
            schema: propertySchema,
          };
        }),
        ...own,
      ];
      takesInput = true;
    } else if (kind === RouteParamtypes.PARAM && typeof data === 'string') {
      const parameter = operation.parameters?.find((p) => p.in === 'path' && p.name === data);
      if (parameter && pipes.some((pipe) => pipe instanceof ParseUUIDPipe)) {
        parameter.schema = { type: 'string', format: 'uuid' };
        takesInput = true;
      }
    }
  }
  return takesInput;
}

function schemaOf(dto: new () => object): JsonSchema {
  const { $schema: _draft, ...schema } = classJsonSchema(dto);
  return { title: dto.name, ...closeObjects(schema) };
}

/**
 * Rebuilds a JSON tree bottom-up, passing every object to `visit` once its children are rebuilt.
 * The entries of a `properties` map are schemas, the map itself is not (its keys are field names).
 */
function rebuild(node: unknown, visit: (object: Json) => Json): unknown {
  if (Array.isArray(node)) {
    return node.map((item) => rebuild(item, visit));
  }
  if (typeof node !== 'object' || node === null) {
    return node;
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    out[key] =
      key === 'properties' && typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).map(([name, field]) => [name, rebuild(field, visit)]))
        : rebuild(value, visit);
  }
  return visit(out);
}

/**
 * Moves every schema with a `title` (a named view, e.g. `OrderView`) into `components.schemas` and
 * refers to it, so a view several routes answer with is described once.
 */
function hoistNamed(schema: JsonSchema, schemas: Record<string, JsonSchema>): JsonSchema {
  return rebuild(schema, (node) => {
    if (typeof node.title !== 'string') {
      return node;
    }
    const previous = schemas[node.title];
    if (previous && JSON.stringify(previous) !== JSON.stringify(node)) {
      throw new Error(`OpenAPI: two different schemas are named ${node.title}`);
    }
    schemas[node.title] = node;
    return { $ref: `#/components/schemas/${node.title}` };
  }) as JsonSchema;
}

/** The validation pipe runs with `forbidNonWhitelisted`: an unknown field is a 400, at every depth. */
function closeObjects(schema: JsonSchema): JsonSchema {
  return rebuild(schema, (node) =>
    node.type === 'object' && node.properties !== undefined && node.additionalProperties === undefined
      ? { ...node, additionalProperties: false }
      : node,
  ) as JsonSchema;
}
