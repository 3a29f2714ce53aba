import { DOCUMENT, Injectable, inject, signal } from '@angular/core';
import { STORAGE } from './tokens';

/** 'system' follows the device's prefers-color-scheme; the others pin one scheme. */
export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_CHOICES: readonly { value: ThemeChoice; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** Kept per device, not per user: the sign-in page has no user yet and should look the same. */
export const THEME_STORAGE_KEY = 'parley.theme';

/**
 * The colour scheme. The Material theme (styles.scss) is built with `color-scheme` tokens, so
 * following the device needs nothing here; a remembered choice puts `light` or `dark` on <html>,
 * which pins `color-scheme` and with it every --mat-sys-* colour.
 */
@Injectable({ providedIn: 'root' })
export class ThemeService {
  private readonly storage = inject(STORAGE);
  private readonly root = inject(DOCUMENT).documentElement;
  readonly choice = signal<ThemeChoice>(parseChoice(this.storage.getItem(THEME_STORAGE_KEY)));

  constructor() {
    this.apply(this.choice());
  }

  choose(choice: ThemeChoice): void {
    this.choice.set(choice);
    this.apply(choice);
    if (choice === 'system') this.storage.removeItem(THEME_STORAGE_KEY);
    else this.storage.setItem(THEME_STORAGE_KEY, choice);
  }

  /** At once rather than in an effect: the first frame is already in the remembered scheme. */
  private apply(choice: ThemeChoice): void {
    this.root.classList.toggle('light', choice === 'light');
    this.root.classList.toggle('dark', choice === 'dark');
  }
}

function parseChoice(stored: string | null): ThemeChoice {
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}
