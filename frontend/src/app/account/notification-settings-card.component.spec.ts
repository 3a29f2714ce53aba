import { TestBed } from '@angular/core/testing';
import { CHIME, NotificationSettings } from '../core/notification-settings';
import { STORAGE } from '../core/tokens';
import { NotificationSettingsCardComponent } from './notification-settings-card.component';

describe('NotificationSettingsCardComponent', () => {
  let storage: Map<string, string>;

  beforeEach(() => {
    storage = new Map();
    TestBed.configureTestingModule({
      imports: [NotificationSettingsCardComponent],
      providers: [
        { provide: STORAGE, useValue: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) } },
        { provide: CHIME, useValue: () => undefined },
      ],
    });
  });

  const render = async () => {
    const fixture = TestBed.createComponent(NotificationSettingsCardComponent);
    fixture.detectChanges();
    await fixture.whenStable();
    const root = fixture.nativeElement as HTMLElement;
    const saved = () => JSON.parse(storage.get('parley.notificationPrefs') ?? '{}');
    const click = async (selector: string) => {
      root.querySelector<HTMLElement>(selector)!.click();
      fixture.detectChanges();
      await fixture.whenStable();
    };
    return { fixture, root, saved, click };
  };

  it('saves do not disturb and the sound as they are switched, with no Save button', async () => {
    const { root, saved, click } = await render();
    expect(root.querySelector('button[type="submit"]')).toBeNull();
    await click('mat-slide-toggle button');
    expect(saved()).toMatchObject({ dnd: true });
    expect(root.textContent).toContain('No notifications until you switch this off.');
    const toggles = root.querySelectorAll<HTMLElement>('mat-slide-toggle button');
    toggles[1].click();
    expect(saved()).toMatchObject({ dnd: true, sound: true });
    expect(TestBed.inject(NotificationSettings).allowsNow()).toBe(false);
  });

  it('offers quiet hours from 19:00 to 07:00 when ticked, and saves a changed time', async () => {
    const { fixture, root, saved, click } = await render();
    expect(root.querySelector('input[name="quiet_from"]')).toBeNull();
    await click('mat-checkbox input');
    expect(saved()).toMatchObject({ quietHours: { from: '19:00', to: '07:00' } });
    expect(root.textContent).toContain('No notifications from 19:00 to 07:00 the next morning.');
    const to = root.querySelector<HTMLInputElement>('input[name="quiet_to"]')!;
    to.value = '06:30';
    to.dispatchEvent(new Event('change'));
    fixture.detectChanges();
    expect(saved()).toMatchObject({ quietHours: { from: '19:00', to: '06:30' } });
    // A cleared field is not saved: the schedule stays whole.
    to.value = '';
    to.dispatchEvent(new Event('change'));
    expect(saved()).toMatchObject({ quietHours: { from: '19:00', to: '06:30' } });
    await click('mat-checkbox input');
    expect(saved()).toMatchObject({ quietHours: null });
  });
});
