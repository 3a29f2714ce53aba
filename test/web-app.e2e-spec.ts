import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WEB_APP_DIR } from '../backend/src/web/web-app.module';
import { api } from './support/clients';
import { startServer, type TestServer } from './support/server';

// `npm test` builds the web app first (pretest), so this runs against the real bundle.
describe('the web app on the same port', () => {
  let server: TestServer;
  beforeAll(async () => {
    if (!existsSync(join(WEB_APP_DIR, 'index.html'))) throw new Error('Run `npm run build:web` first');
    server = await startServer();
  });
  afterAll(() => server?.stop());

  it('serves the app at / and at the prototype page URLs', async () => {
    for (const path of ['/', '/admin/alice', '/staff/bob', '/client/carol']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<parley-root>');
    }
  });

  it('leaves /api to the API: an unknown route is a JSON 404, not the app', async () => {
    expect(await api(server, 'GET', '/api/nothing-here')).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });

  it('serves the socket.io client script for prototype pages on an offline LAN', async () => {
    const response = await fetch(`${server.url}/socket.io/socket.io.js`);
    expect(response.status).toBe(200);
  });
});
