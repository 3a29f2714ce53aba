import { provideHttpClient } from '@angular/common/http';
import { provideZonelessChangeDetection, type ApplicationConfig } from '@angular/core';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { routes } from './app.routes';
import { ChatConnection, SocketService } from './core/socket.service';

export const appConfig: ApplicationConfig = {
  providers: [
    provideZonelessChangeDetection(),
    provideRouter(routes, withComponentInputBinding()),
    // XMLHttpRequest rather than fetch: fetch cannot report an upload's progress, and file cards show it.
    provideHttpClient(),
    { provide: ChatConnection, useExisting: SocketService },
  ],
};
