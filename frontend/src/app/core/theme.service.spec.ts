import { DOCUMENT } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { STORAGE } from './tokens';
import { THEME_STORAGE_KEY, ThemeService } from './theme.service';

describe('ThemeService', () => {
  let storage: Storage;
  let root: HTMLElement;

  function create(stored: string | null): ThemeService {
    storage = window.localStorage;
    storage.clear();
    if (stored !== null) storage.setItem(THEME_STORAGE_KEY, stored);
    TestBed.configureTestingModule({ providers: [{ provide: STORAGE, useValue: storage }] });
    root = TestBed.inject(DOCUMENT).documentElement;
    root.classList.remove('light', 'dark');
    return TestBed.inject(ThemeService);
  }

  it('follows the device when nothing was chosen: no class on <html>', () => {
    expect(create(null).choice()).toBe('system');
    expect(root.classList.contains('light') || root.classList.contains('dark')).toBe(false);
  });

  it('puts a remembered choice on <html> as soon as it is created', () => {
    expect(create('dark').choice()).toBe('dark');
    expect(root.classList.contains('dark')).toBe(true);
  });

  it('ignores a stored value it does not know', () => {
    expect(create('purple').choice()).toBe('system');
  });

  it('remembers light or dark, and forgets the choice for system', () => {
    const theme = create(null);
    theme.choose('light');
    expect(storage.getItem(THEME_STORAGE_KEY)).toBe('light');
    expect([root.classList.contains('light'), root.classList.contains('dark')]).toEqual([true, false]);
    theme.choose('dark');
    expect([root.classList.contains('light'), root.classList.contains('dark')]).toEqual([false, true]);
    theme.choose('system');
    expect(storage.getItem(THEME_STORAGE_KEY)).toBeNull();
    expect([root.classList.contains('light'), root.classList.contains('dark')]).toEqual([false, false]);
  });
});
