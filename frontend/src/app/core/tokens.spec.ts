import { TestBed } from '@angular/core/testing';
import { NOTIFIER, WINDOW } from './tokens';

describe('NOTIFIER', () => {
  function notifierIn(win: object) {
    TestBed.configureTestingModule({ providers: [{ provide: WINDOW, useValue: win }] });
    return TestBed.inject(NOTIFIER);
  }

  it('shows a page notification where the browser allows one', () => {
    const shown: Array<[string, NotificationOptions]> = [];
    const Notification = Object.assign(
      function (this: unknown, title: string, options: NotificationOptions) {
        shown.push([title, options]);
      },
      { permission: 'granted' },
    );
    notifierIn({ Notification }).show('Sam', 'Lunch?');
    expect(shown).toEqual([['Sam', { body: 'Lunch?', tag: 'parley' }]]);
  });

  // jsdom has neither notifications nor service workers; Chromium on Android is where this path runs.
  it('goes through the service worker where the page may not (Android), with a click that focuses Parley', async () => {
    const shown: Array<[string, NotificationOptions]> = [];
    const Notification = Object.assign(
      function () {
        throw new TypeError('Illegal constructor. Use ServiceWorkerRegistration.showNotification() instead.');
      },
      { permission: 'granted' },
    );
    const registration = { showNotification: async (title: string, options: NotificationOptions) => void shown.push([title, options]) };
    notifierIn({ Notification, navigator: { serviceWorker: { getRegistration: async () => registration } } }).show('Sam', 'Lunch?');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(shown).toEqual([
      ['Sam', { body: 'Lunch?', tag: 'parley', data: { onActionClick: { default: { operation: 'focusLastFocusedOrOpen', url: '/' } } } }],
    ]);
  });

  it('shows nothing without permission', () => {
    let made = 0;
    const Notification = Object.assign(
      function () {
        made += 1;
      },
      { permission: 'default' },
    );
    notifierIn({ Notification }).show('Sam', 'Lunch?');
    expect(made).toBe(0);
  });

  it('does not throw where neither way is open (no service worker)', () => {
    const Notification = Object.assign(
      function () {
        throw new TypeError('Illegal constructor');
      },
      { permission: 'granted' },
    );
    expect(() => notifierIn({ Notification, navigator: {} }).show('Sam', 'Lunch?')).not.toThrow();
  });
});
