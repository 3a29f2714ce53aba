import { z } from 'zod';
import { loginResponseSchema, meResponseSchema, sessionResponseSchema, userListResponseSchema, userResponseSchema } from '@parley/contract/schemas';
import { ErrorCodes } from '@parley/contract';
import { adminToken, api, createUser, type Json } from './support/clients';
import { ADMIN_PASSWORD, startServer, type TestServer } from './support/server';

interface Operation {
  summary?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string }>;
  responses: Record<string, { description: string }>;
}
type Document = { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>> };

interface Route {
  method: string;
  /** In OpenAPI form: /api/users/{username}. */
  path: string;
}

/** Every route Express has, as Nest (and anything else) registered it. */
function registeredRoutes(server: TestServer): Route[] {
  const express = server.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } };
  return express.router.stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods).map((method) => ({ method, path: layer.route!.path.replace(/:(\w+)/g, '{$1}') }))
      : [],
  );
}

/** Not REST: the docs themselves, and the web app's fallback to index.html (present after `ng build`). */
const isDocsOrWebApp = (route: Route) => route.path.startsWith('/api/docs') || route.path.includes('*');

const errorBody = z.object({ statusCode: z.number(), code: z.enum(Object.values(ErrorCodes)), message: z.string() }).strict();

describe('OpenAPI description', () => {
  let server: TestServer;
  let document: Document;
  let operations: Array<Route & { operation: Operation }>;
  beforeAll(async () => {
    server = await startServer();
    const response = await api(server, 'GET', '/api/docs-json');
    expect(response.status).toBe(200);
    document = response.body as unknown as Document;
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ method, path, operation })),
    );
  });
  afterAll(() => server.stop());

  it('is OpenAPI 3 with the project version', () => {
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info).toMatchObject({ title: 'Parley REST API', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('describes every route the server registers, and nothing else', () => {
    const registered = registeredRoutes(server).filter((route) => !isDocsOrWebApp(route));
    expect(registered.length).toBeGreaterThanOrEqual(14);
    const described = operations.map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort();
    expect(described).toEqual(registered.map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort());
  });

  it('gives every operation a summary, a success response and its path parameters', () => {
    for (const { path, operation } of operations) {
      expect({ path, summary: operation.summary }).toEqual({ path, summary: expect.any(String) });
      // Single sign-on's routes are browser navigations: their success is a redirect.
      const success = path.startsWith('/api/auth/oidc/') ? /^3/ : /^2/;
      expect({ path, success: Object.keys(operation.responses).some((status) => success.test(status)) }).toEqual({ path, success: true });
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      expect((operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)).toEqual(inPath);
    }
  });

  /** A request to an operation, with placeholder path parameters and an empty body. */
  const call = (route: Route, token?: string) =>
    api(server, route.method.toUpperCase(), route.path.replace(/\{\w+\}/g, 'nobody'), {
      token,
      ...(route.method === 'get' || route.method === 'head' ? {} : { body: {} }),
    });

  it('marks exactly the routes that refuse a caller without a session (401), as the server does', async () => {
    for (const route of operations) {
      const secured = (route.operation.security ?? []).length > 0;
      const response = await call(route);
      expect({ route: `${route.method} ${route.path}`, status: response.status === 401, documented: secured && '401' in route.operation.responses }).toEqual({
        route: `${route.method} ${route.path}`,
        status: secured,
        documented: secured,
      });
      if (secured) expect(route.operation.security).toEqual([{ bearer: [] }, { cookie: [] }]);
    }
  });

  // Routes whose refusal depends on more than the role (channels: membership, who created it)
  // document their 403 too; the capability ones are those that refuse staff whatever is asked.
  it('documents a capability 403 FORBIDDEN on exactly the routes that refuse a signed-in staff member', async () => {
    const staff = await createUser(server, await adminToken(server), 'docs-staff', 'staff');
    // Signing out ends the session the other calls use, so it goes last.
    const ordered = [...operations].sort((a, b) => Number(a.path === '/api/auth/logout') - Number(b.path === '/api/auth/logout'));
    for (const route of ordered) {
      const response = await call(route, staff);
      expect({ route: `${route.method} ${route.path}`, forbidden: response.status === 403 }).toEqual({
        route: `${route.method} ${route.path}`,
        forbidden: (route.operation.responses['403']?.description.includes(ErrorCodes.Forbidden) && route.operation.responses['403'].description.includes('capability')) ?? false,
      });
    }
  });

  it('matches what the server really answers, errors included', async () => {
    const login = await api(server, 'POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(loginResponseSchema.parse(login.body)).toBeTruthy();
    const token = login.body.token as string;
    expect(meResponseSchema.parse((await api(server, 'GET', '/api/me', { token })).body)).toBeTruthy();
    expect(sessionResponseSchema.parse((await api(server, 'GET', '/api/session')).body)).toEqual({ user: null, expires_at: null });
    expect(userListResponseSchema.parse((await api(server, 'GET', '/api/users', { token })).body).users.length).toBeGreaterThan(0);
    const created = await api(server, 'POST', '/api/users', { token, body: { username: 'docs-client', role: 'client', password: 'docs-client-passphrase-9' } });
    expect(created.status).toBe(201);
    expect(userResponseSchema.parse(created.body)).toBeTruthy();
    const failures: Array<[string, string, Json | undefined, number]> = [
      ['POST', '/api/auth/login', { username: 'admin', password: 'wrong-passphrase-9' }, 401],
      ['POST', '/api/users', { username: 'docs-client', role: 'client', password: 'docs-client-passphrase-9' }, 409],
      ['PATCH', '/api/users/nobody', { disabled: true }, 404],
      ['POST', '/api/users', { username: 42 }, 400],
      ['POST', '/api/channels', { name: 'docs', visibility: 'public', members: ['nobody'] }, 400],
      ['GET', '/api/channels/nobody', undefined, 404],
    ];
    for (const [method, path, body, status] of failures) {
      const response = await api(server, method, path, { token, body });
      expect(response.status).toBe(status);
      const parsed = errorBody.parse(response.body);
      const template = path.startsWith('/api/channels/') ? path.replace('/nobody', '/{name}') : path.replace('/nobody', '/{username}');
      const documented = document.paths[template][method.toLowerCase()].responses[String(status)];
      expect(documented.description).toContain(parsed.code);
    }
  });

  it('serves Swagger UI at /api/docs, its assets included', async () => {
    const page = await fetch(`${server.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Parley REST API</title>');
    const css = await fetch(`${server.url}/api/docs/swagger-ui.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
  });
});
