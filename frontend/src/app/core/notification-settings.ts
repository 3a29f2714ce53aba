import { Injectable, InjectionToken, inject, signal } from '@angular/core';
import { STORAGE, WINDOW } from './tokens';

/** When this device stays silent, and whether it chimes. Kept on the device: quiet is about where you are. */
export interface NotificationPrefs {
  /** Do not disturb: no notification at all until switched off. */
  dnd: boolean;
  /** Quiet every day from `from` to `to` (HH:MM, local time; may run past midnight); null: no schedule. */
  quietHours: { from: string; to: string } | null;
  /** A short chime with each notification. */
  sound: boolean;
}

export const DEFAULT_PREFS: NotificationPrefs = { dnd: false, quietHours: null, sound: false };

const KEY = 'parley.notificationPrefs';

/** Where a person's Notifications switch is kept on this device ('on' or 'off'). */
export const notificationsSwitchKey = (username: string) => `parley.notify.${username}`;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `now` (local time) falls in the quiet hours; a schedule from 22:00 to 07:00 spans midnight. */
export function inQuietHours(quietHours: NotificationPrefs['quietHours'], now: Date): boolean {
  if (!quietHours) return false;
  const from = minutes(quietHours.from);
  const to = minutes(quietHours.to);
  const at = now.getHours() * 60 + now.getMinutes();
  if (from === to) return false;
  return from < to ? at >= from && at < to : at >= from || at < to;
}

/** Stored preferences, read defensively: an old or hand-edited value falls back field by field. */
export function parsePrefs(raw: string | null): NotificationPrefs {
  try {
    const value = JSON.parse(raw ?? '{}') as Partial<NotificationPrefs>;
    const hours = value.quietHours;
    return {
      dnd: value.dnd === true,
      quietHours: hours && TIME.test(String(hours.from)) && TIME.test(String(hours.to)) ? { from: hours.from, to: hours.to } : null,
      sound: value.sound === true,
    };
  } catch {
    return DEFAULT_PREFS;
  }
}

/** A short two-note chime made on the spot (Web Audio): no sound file, nothing fetched. */
export const CHIME = new InjectionToken<() => void>('chime', {
  factory: () => {
    const win = inject(WINDOW) as Window & { AudioContext?: typeof AudioContext };
    let context: AudioContext | null = null;
    return () => {
      if (!win.AudioContext) return;
      try {
        context ??= new win.AudioContext();
        const start = context.currentTime;
        for (const [offset, frequency] of [[0, 880], [0.12, 1175]] as const) {
          const tone = context.createOscillator();
          const gain = context.createGain();
          tone.frequency.value = frequency;
          gain.gain.setValueAtTime(0.0001, start + offset);
          gain.gain.exponentialRampToValueAtTime(0.15, start + offset + 0.02);
          gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.25);
          tone.connect(gain).connect(context.destination);
          tone.start(start + offset);
          tone.stop(start + offset + 0.3);
        }
      } catch {
        // A browser that refuses audio before any click on the page: the notification still shows.
      }
    };
  },
});

/**
 * This device's do-not-disturb switch, quiet hours and chime, for everything that notifies
 * (messages, mentions, announcements). Changes are saved at once and apply to the next
 * notification, in every tab of this browser (they read the same storage).
 */
@Injectable({ providedIn: 'root' })
export class NotificationSettings {
  private readonly storage = inject(STORAGE);
  private readonly chime = inject(CHIME);
  private readonly window = inject(WINDOW);
  readonly prefs = signal<NotificationPrefs>(parsePrefs(this.storage.getItem(KEY)));

  update(change: Partial<NotificationPrefs>): void {
    const next = { ...this.prefs(), ...change };
    this.prefs.set(next);
    this.storage.setItem(KEY, JSON.stringify(next));
  }

  /** Whether a notification may be shown now: not in do-not-disturb, not in the quiet hours. */
  allowsNow(now = new Date()): boolean {
    // Another tab may have changed them.
    const prefs = parsePrefs(this.storage.getItem(KEY));
    return !prefs.dnd && !inQuietHours(prefs.quietHours, now);
  }

  /**
   * Whether something for `username` should notify now: they switched notifications on here
   * (ChatStore keeps that switch, per person), the page is in the background, and it is not quiet.
   */
  alertsNowFor(username: string): boolean {
    return this.storage.getItem(notificationsSwitchKey(username)) === 'on' && this.window.document.visibilityState === 'hidden' && this.allowsNow();
  }

  /** After a notification was shown: the chime, when wanted. */
  shown(): void {
    if (parsePrefs(this.storage.getItem(KEY)).sound) this.chime();
  }
}
