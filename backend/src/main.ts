import { networkInterfaces } from 'node:os';
import { Logger } from '@nestjs/common';
import { createParleyApp } from './app.factory';
import { AdminBootstrapService } from './auth/admin-bootstrap.service';
import { AppConfig } from './config/app-config';
import { exitOnShutdownSignal, stopGracefully } from './lifecycle/shutdown-signals';
import { DatabaseService } from './storage/database.service';
import { LocalTls } from './security/tls/local-tls.service';

/** Addresses a person on the LAN can type: every non-internal IPv4 when bound to all interfaces. */
function reachableUrls(scheme: 'http' | 'https', host: string, port: number): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [`${scheme}://${host}:${port}`];
  const urls = [`${scheme}://localhost:${port}`];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) urls.push(`${scheme}://${address.address}:${port}`);
    }
  }
  return urls;
}

/** A start that cannot go on: the reason in plain words, no stack trace, exit code 1. */
function couldNotStart(error: unknown): never {
  console.error(`Parley could not start.\n${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

async function main(): Promise<void> {
  let app;
  try {
    app = await createParleyApp();
  } catch (error) {
    couldNotStart(error);
  }
  const appConfig = app.get(AppConfig);
  const config = appConfig.values;
  const timeoutMs = config.PARLEY_SHUTDOWN_TIMEOUT_MS;
  exitOnShutdownSignal(() => stopGracefully(app, timeoutMs), { timeoutMs });
  // Modules start here rather than inside listen(), so that their refusals (a database a newer
  // Parley upgraded, a failed migration) are reported the same way, not as a crash.
  await app.init().catch(couldNotStart);
  await app.listen(config.PARLEY_PORT, config.PARLEY_HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PARLEY_PORT;
  const logger = new Logger('Parley');
  logger.log(`Storage: ${app.get(DatabaseService).dialect} ${app.get(DatabaseService).location}`);
  logger.log(`Auth mode: ${config.PARLEY_AUTH}`);
  const urls = reachableUrls(appConfig.tls ? 'https' : 'http', config.PARLEY_HOST, port);
  // Behind a proxy, the address people use; Parley answers to its host name (PARLEY_ALLOWED_HOSTS for others).
  if (config.PARLEY_PUBLIC_URL) urls.unshift(config.PARLEY_PUBLIC_URL);
  const lines = ['Parley is running. Open it at:', ...urls.map((u) => `  ${u}`)];
  const ca = app.get(LocalTls).ca;
  const plainUrls = reachableUrls('http', config.PARLEY_HOST, port);
  if (ca) {
    // Printed where only whoever runs the server sees it: the way to tell the real CA from a swapped one.
    lines.push(
      '',
      'HTTPS with its own certificate authority (PARLEY_TLS=auto). Trust it once on each device:',
      // A LAN address when there is one: other devices cannot use "localhost".
      `  ${(plainUrls.find((url) => !url.includes('//localhost')) ?? plainUrls[0])}/trust   (how, for every system)`,
      `  CA fingerprint (SHA-256): ${ca.fingerprint}`,
    );
  }
  const password = app.get(AdminBootstrapService).generatedPassword;
  if (password) {
    lines.push(
      '',
      'First start: created the account "admin" with this one-time password (shown only now):',
      `  ${password}`,
      'Sign in and change it, or set PARLEY_ADMIN_PASSWORD before the first start.',
    );
  }
  console.log(`\n${lines.join('\n')}\n`);
}

void main();
