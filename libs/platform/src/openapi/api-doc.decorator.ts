import { SetMetadata } from '@nestjs/common';
import type { Schema } from './response-schema';

export const API_DOC = 'waybill:api-doc';

/** A 4xx/5xx answer an operation gives beyond those derived from its route (see buildOpenApiDocument). */
export interface ApiErrorDoc {
  readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 502 | 503;
  /** The `code` of the ErrorBody, e.g. `ORDER.NOT_FOUND`. */
  readonly code: string;
  readonly description: string;
}

export interface ApiHeaderDoc {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  readonly example?: string;
  /** Default: any string. */
  readonly schema?: Schema;
}

export interface ApiDocOptions {
  readonly summary: string;
  readonly description?: string;
  /** A body this operation accepts; checked against the DTO's schema by tests/openapi.spec.ts. */
  readonly requestExample?: unknown;
  /** Request headers besides `Authorization` (e.g. `Idempotency-Key`, webhook signatures). */
  readonly headers?: readonly ApiHeaderDoc[];
  /** The success answer; its status is the route's own (`@HttpCode`, or Nest's default). */
  readonly response: {
    readonly description: string;
    /** The JSON Schema of the body (see response-schema.ts); default: an object. */
    readonly schema?: Schema;
    readonly example?: unknown;
    /** e.g. `text/plain; version=0.0.4` for Prometheus; default `application/json`. */
    readonly contentType?: string;
    readonly headers?: Readonly<Record<string, string>>;
  };
  /** Other success answers, e.g. 200 for an idempotent replay of a 201. */
  readonly otherResponses?: Readonly<
    Record<number, { readonly description: string; readonly example?: unknown; readonly schema?: Schema }>
  >;
  readonly errors?: readonly ApiErrorDoc[];
  /**
   * A signed webhook: no API key, the body is verified on its raw bytes. `signature` names the
   * headers the sender signs with.
   */
  readonly webhook?: { readonly signature: string };
}

/**
 * What the OpenAPI document says about one route that the code cannot: a summary, examples and
 * the domain errors it may answer with. Everything the code does say — path, parameters, body
 * schema (from the DTO's class-validator rules), API key and scopes, validation, rate-limit and
 * body-size errors — buildOpenApiDocument derives, so it cannot drift. Metadata only: no behaviour.
 */
export const ApiDoc = (options: ApiDocOptions): MethodDecorator => SetMetadata(API_DOC, options);
