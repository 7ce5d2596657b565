import type { IncomingMessage, ServerResponse } from 'node:http';

// @types/express is not a dependency; these are the few Express additions the platform touches.
export interface HttpRequest extends IncomingMessage {
  readonly ip?: string;
  readonly originalUrl?: string;
  rawBody?: Buffer;
}

export interface HttpResponse extends ServerResponse {
  status(code: number): this;
  json(body: unknown): this;
}

export type NextFunction = (error?: unknown) => void;
