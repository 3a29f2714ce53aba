import { DOCUMENT, InjectionToken, inject } from '@angular/core';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@parley/contract';

/** Browser globals behind tokens, so specs can replace them and nothing else touches them. */
export const WINDOW = new InjectionToken<Window>('window', {
  factory: () => inject(DOCUMENT).defaultView as Window,
});

export const STORAGE = new InjectionToken<Storage>('storage', {
  factory: () => inject(WINDOW).localStorage,
});

/** Per-tab storage that survives a reload: why the session ended, shown once on the sign-in page. */
export const SESSION_STORAGE = new InjectionToken<Storage>('session storage', {
  factory: () => inject(WINDOW).sessionStorage,
});

/**
 * Loads another address in this tab, leaving the app: single sign-on starts on the server
 * (/api/auth/oidc/start), which sends the browser on to the provider's own page.
 */
export const LOAD_PAGE = new InjectionToken<(url: string) => void>('load page', {
  factory: () => {
    const location = inject(WINDOW).location;
    return (url) => location.assign(url);
  },
});

/**
 * Copies text to the clipboard; false when the browser refuses (the Clipboard API needs https
 * or localhost, which a LAN address over plain http is not).
 */
export const CLIPBOARD = new InjectionToken<(text: string) => Promise<boolean>>('clipboard', {
  factory: () => {
    const win = inject(WINDOW);
    return (text) => win.navigator.clipboard?.writeText(text).then(() => true, () => false) ?? Promise.resolve(false);
  },
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
        if (api?.permission !== 'granted') return;
        try {
          new api(title, { body, tag: 'parley' });
        } catch {
          // Android Chrome refuses `new Notification` and shows notifications only through a
          // service worker: the installed app's (parley-sw.js). A click focuses Parley's window,
          // or opens one (Angular's worker reads `onActionClick`).
          void win.navigator.serviceWorker
            ?.getRegistration()
            .then((registration) =>
              registration?.showNotification(title, { body, tag: 'parley', data: { onActionClick: { default: { operation: 'focusLastFocusedOrOpen', url: '/' } } } }),
            )
            .catch(() => undefined);
        }
      },
    };
  },
});

/**
 * Makes client_ids. crypto.randomUUID() exists only on secure pages (HTTPS, localhost), and
 * Parley is usually opened as http://<LAN address>; getRandomValues works everywhere.
 */
export const ID_GENERATOR = new InjectionToken<() => string>('id generator', {
  factory: () => {
    const crypto = inject(WINDOW).crypto;
    return () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  },
});

/** The time now, in milliseconds: whether a message may still be edited depends on it, and specs set it. */
export const CLOCK = new InjectionToken<() => number>('clock', {
  factory: () => () => Date.now(),
});

/** The app's socket, typed by the contract: every emit and listener is checked against it. */
export type ParleySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Opens the app's socket: same origin, so the session cookie rides along in the handshake. */
export const SOCKET_FACTORY = new InjectionToken<() => ParleySocket>('socket factory', {
  factory: () => () => io({ transports: ['websocket'], autoConnect: false }),
});
