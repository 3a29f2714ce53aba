import { provideHttpClient } from '@angular/common/http';
import { isDevMode, provideZonelessChangeDetection, type ApplicationConfig } from '@angular/core';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { provideServiceWorker } from '@angular/service-worker';
import { routes } from './app.routes';
import { ChatConnection, SocketService } from './core/socket.service';

export const appConfig: ApplicationConfig = {
  providers: [
    provideZonelessChangeDetection(),
    provideRouter(routes, withComponentInputBinding()),
    // XMLHttpRequest rather than fetch: fetch cannot report an upload's progress, and file cards show it.
    provideHttpClient(),
    { provide: ChatConnection, useExisting: SocketService },
    // Installable and usable offline (frontend/ngsw-config.json). Browsers run service workers
    // only on https and localhost; over plain http on the LAN this does nothing (PARLEY_TLS=auto).
    // Registered once the first page has settled, so it never competes with the app's own start.
    provideServiceWorker('parley-sw.js', { enabled: !isDevMode(), registrationStrategy: 'registerWhenStable:5000' }),
  ],
};
