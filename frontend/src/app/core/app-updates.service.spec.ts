import { TestBed } from '@angular/core/testing';
import { SwUpdate, type VersionEvent } from '@angular/service-worker';
import { Subject } from 'rxjs';
import { AppUpdates, UPDATE_BROKEN, UPDATE_READY } from './app-updates.service';
import { WINDOW } from './tokens';

// The real worker runs in Chromium (test/browser/installable-app.e2e-spec.ts); jsdom has none,
// so these drive SwUpdate's two streams by hand.
describe('AppUpdates', () => {
  let versions: Subject<VersionEvent>;
  let broken: Subject<{ type: 'UNRECOVERABLE_STATE'; reason: string }>;
  let reloads: number;

  function create(isEnabled = true): AppUpdates {
    versions = new Subject();
    broken = new Subject();
    reloads = 0;
    TestBed.configureTestingModule({
      providers: [
        { provide: SwUpdate, useValue: { isEnabled, versionUpdates: versions, unrecoverable: broken } },
        { provide: WINDOW, useValue: { location: { reload: () => (reloads += 1) } } },
      ],
    });
    const updates = TestBed.inject(AppUpdates);
    updates.start();
    return updates;
  }

  it('offers a reload once a new version is ready, and reloads only when asked', () => {
    const updates = create();
    versions.next({ type: 'VERSION_DETECTED', version: { hash: 'b' } });
    expect(updates.notice()).toBeNull();
    versions.next({ type: 'VERSION_READY', currentVersion: { hash: 'a' }, latestVersion: { hash: 'b' } });
    expect(updates.notice()).toBe(UPDATE_READY);
    expect(reloads).toBe(0);
    updates.reload();
    expect(reloads).toBe(1);
  });

  it('asks for a reload when the installed copy cannot be used any more', () => {
    const updates = create();
    broken.next({ type: 'UNRECOVERABLE_STATE', reason: 'evicted' });
    expect(updates.notice()).toBe(UPDATE_BROKEN);
  });

  it('does nothing where no service worker runs (plain http on the LAN)', () => {
    const updates = create(false);
    versions.next({ type: 'VERSION_READY', currentVersion: { hash: 'a' }, latestVersion: { hash: 'b' } });
    expect(updates.notice()).toBeNull();
  });
});
