import { INestApplication } from '@nestjs/common';
import { OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ApiDocsInfo, buildOpenApiDocument } from './openapi-document';

export const API_DOCS_PATH = 'docs';
export const API_DOCS_JSON_PATH = 'docs-json';

/**
 * Serves Swagger UI at `/docs` and the document at `/docs-json`. SwaggerModule registers both on the
 * Express instance itself, outside Nest's router: no guard runs, so they are public (no API key, no
 * rate-limit bucket spent) and no body parser or raw-body capture is involved (GET only). The
 * document is built once, at boot; the UI's assets come from swagger-ui-dist, no CDN.
 */
export function serveApiDocs(app: INestApplication, info: ApiDocsInfo): OpenAPIObject {
  const document = buildOpenApiDocument(app, info);
  SwaggerModule.setup(API_DOCS_PATH, app, document, {
    jsonDocumentUrl: API_DOCS_JSON_PATH,
    raw: ['json'],
    customSiteTitle: document.info.title,
  });
  return document;
}
