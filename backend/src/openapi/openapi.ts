import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { SESSION_COOKIE } from '../auth/session-token';

export const API_DOCS_PATH = 'api/docs';
export const API_DOCS_JSON_PATH = 'api/docs-json';

/** The project version; package.json sits three levels up from both backend/src and dist/backend. */
function parleyVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Describes every REST route from the controllers' decorators. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Parley REST API')
    .setDescription(
      'Accounts, sessions and admin actions. Messaging is socket.io (docs/protocol.md). Routes with a lock need a ' +
        'session: `Authorization: Bearer <token>` from POST /api/auth/login, or the `parley_session` cookie it sets. ' +
        'Errors are `{statusCode, code, message}`; each response lists the codes it can carry. Besides those, any ' +
        'request can be refused before it reaches its route (docs/security.md): 421 `HOST_NOT_ALLOWED` for a Host ' +
        'Parley does not answer to (see PARLEY_ALLOWED_HOSTS); for writes, 403 `CROSS_SITE_REJECTED` when sent by ' +
        "another site's page (Origin, Sec-Fetch-Site), 415 `UNSUPPORTED_MEDIA_TYPE` for a body that is not JSON, and " +
        '403 `CSRF_REJECTED` for a cookie-authenticated write without the `X-XSRF-TOKEN` header. /api answers carry ' +
        '`Cache-Control: no-store`.',
    )
    .setVersion(parleyVersion())
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The token from POST /api/auth/login' })
    .addCookieAuth(SESSION_COOKIE)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI at /api/docs, the JSON at /api/docs-json. Public: it describes routes, not data. */
export function setUpOpenApi(app: INestApplication): void {
  SwaggerModule.setup(API_DOCS_PATH, app, () => createOpenApiDocument(app), {
    jsonDocumentUrl: API_DOCS_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'Parley REST API',
  });
}
