import { DOCUMENT, InjectionToken, inject } from '@angular/core';
import { io, type Socket } from 'socket.io-client';

/** Browser globals behind tokens, so specs can replace them and nothing else touches them. */
export const WINDOW = new InjectionToken<Window>('window', {
  factory: () => inject(DOCUMENT).defaultView as Window,
});

export const STORAGE = new InjectionToken<Storage>('storage', {
  factory: () => inject(WINDOW).localStorage,
});

/** The slice of the Notification API the app uses. */
export interface Notifier {
  readonly supported: boolean;
  permission(): NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  show(title: string, body: string): void;
}

export const NOTIFIER = new InjectionToken<Notifier>('notifier', {
  factory: () => {
    const win = inject(WINDOW);
    const api = (win as Window & { Notification?: typeof Notification }).Notification;
    return {
      supported: api !== undefined,
      permission: () => api?.permission ?? 'denied',
      requestPermission: () => api?.requestPermission() ?? Promise.resolve('denied'),
      show: (title, body) => {
        if (api?.permission === 'granted') new api(title, { body, tag: 'parley' });
      },
    };
  },
});

/** Opens the app's socket: same origin, so the session cookie rides along in the handshake. */
export const SOCKET_FACTORY = new InjectionToken<() => Socket>('socket factory', {
  factory: () => () => io({ transports: ['websocket'], autoConnect: false }),
});
