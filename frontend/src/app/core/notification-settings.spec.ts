import { TestBed } from '@angular/core/testing';
import { CHIME, inQuietHours, NotificationSettings, parsePrefs } from './notification-settings';
import { STORAGE, WINDOW } from './tokens';

const at = (hhmm: string) => new Date(`2026-12-03T${hhmm}:00`);

describe('quiet hours', () => {
  it('covers a schedule within a day and one that runs past midnight', () => {
    const day = { from: '12:00', to: '13:30' };
    expect([inQuietHours(day, at('11:59')), inQuietHours(day, at('12:00')), inQuietHours(day, at('13:29')), inQuietHours(day, at('13:30'))]).toEqual([false, true, true, false]);
    const night = { from: '22:00', to: '07:00' };
    expect([inQuietHours(night, at('21:59')), inQuietHours(night, at('23:30')), inQuietHours(night, at('03:00')), inQuietHours(night, at('07:00'))]).toEqual([false, true, true, false]);
    expect(inQuietHours({ from: '08:00', to: '08:00' }, at('08:00'))).toBe(false);
    expect(inQuietHours(null, at('03:00'))).toBe(false);
  });

  it('reads stored preferences defensively', () => {
    expect(parsePrefs(null)).toEqual({ dnd: false, quietHours: null, sound: false });
    expect(parsePrefs('not json')).toEqual({ dnd: false, quietHours: null, sound: false });
    expect(parsePrefs('{"dnd":true,"quietHours":{"from":"25:00","to":"07:00"},"sound":"yes"}')).toEqual({ dnd: true, quietHours: null, sound: false });
    expect(parsePrefs('{"quietHours":{"from":"22:00","to":"07:00"},"sound":true}')).toEqual({ dnd: false, quietHours: { from: '22:00', to: '07:00' }, sound: true });
  });
});

describe('NotificationSettings', () => {
  let storage: Map<string, string>;
  let visibility: DocumentVisibilityState;
  let chimes: number;

  beforeEach(() => {
    storage = new Map();
    visibility = 'hidden';
    chimes = 0;
    TestBed.configureTestingModule({
      providers: [
        { provide: STORAGE, useValue: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) } },
        { provide: WINDOW, useValue: { document: { get visibilityState() { return visibility; } } } },
        { provide: CHIME, useValue: () => (chimes += 1) },
      ],
    });
  });

  it('saves each change at once and answers from what is saved (another tab may have changed it)', () => {
    const settings = TestBed.inject(NotificationSettings);
    expect(settings.allowsNow(at('10:00'))).toBe(true);
    settings.update({ quietHours: { from: '09:00', to: '17:00' } });
    expect(JSON.parse(storage.get('parley.notificationPrefs')!)).toEqual({ dnd: false, quietHours: { from: '09:00', to: '17:00' }, sound: false });
    expect(settings.allowsNow(at('10:00'))).toBe(false);
    expect(settings.allowsNow(at('18:00'))).toBe(true);
    storage.set('parley.notificationPrefs', JSON.stringify({ dnd: true }));
    expect(settings.allowsNow(at('18:00'))).toBe(false);
  });

  it('alerts a person only with notifications on, in the background, and not quiet; chimes only with the sound on', () => {
    const settings = TestBed.inject(NotificationSettings);
    expect(settings.alertsNowFor('sam')).toBe(false);
    storage.set('parley.notify.sam', 'on');
    expect(settings.alertsNowFor('sam')).toBe(true);
    visibility = 'visible';
    expect(settings.alertsNowFor('sam')).toBe(false);
    visibility = 'hidden';
    settings.update({ dnd: true });
    expect(settings.alertsNowFor('sam')).toBe(false);
    settings.shown();
    expect(chimes).toBe(0);
    settings.update({ sound: true });
    settings.shown();
    expect(chimes).toBe(1);
  });
});
