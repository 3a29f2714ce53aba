import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { AuditEntry } from '@parley/contract';
import { AuditLogComponent } from './audit-log.component';

const entry = (id: number, target: string): AuditEntry => ({
  id,
  at: '2026-11-25T10:00:00.000Z',
  actor: 'admin',
  action: 'user.created',
  target,
  details: {},
  ip: null,
});

describe('AuditLogComponent', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
    http = TestBed.inject(HttpTestingController);
  });
  afterEach(() => http.verify());

  const pending = () => http.match((request) => request.url === '/api/admin/audit');

  it("shows only the latest request's answer when a filter change overtakes a load", async () => {
    const fixture = TestBed.createComponent(AuditLogComponent);
    fixture.detectChanges();
    const component = fixture.componentInstance;
    component.filterBy('user.changed');
    const [first, second] = pending();
    expect(second.request.params.get('action')).toBe('user.changed');
    second.flush({ entries: [entry(2, 'changed-one')], next_before: null });
    await fixture.whenStable();
    expect(component.loading()).toBe(false);
    // The first (unfiltered) answer arrives late: it must not replace the filtered rows.
    first.flush({ entries: [entry(9, 'unfiltered')], next_before: 9 });
    await fixture.whenStable();
    expect(component.entries().map((e) => e.target)).toEqual(['changed-one']);
    expect(component.nextBefore()).toBeNull();
  });

  it('keeps "loading" while the latest request is out, even if an older one finishes', async () => {
    const fixture = TestBed.createComponent(AuditLogComponent);
    fixture.detectChanges();
    const component = fixture.componentInstance;
    component.filterBy('user.created');
    const [first, second] = pending();
    first.flush({ entries: [], next_before: null });
    await fixture.whenStable();
    expect(component.loading()).toBe(true);
    second.flush({ entries: [entry(1, 'sam')], next_before: null });
    await fixture.whenStable();
    expect(component.loading()).toBe(false);
    expect(component.entries().map((e) => e.target)).toEqual(['sam']);
  });

  it('appends an older page after "Older entries"', async () => {
    const fixture = TestBed.createComponent(AuditLogComponent);
    fixture.detectChanges();
    const component = fixture.componentInstance;
    pending()[0].flush({ entries: [entry(5, 'e5'), entry(4, 'e4')], next_before: 4 });
    await fixture.whenStable();
    component.loadOlder();
    const [older] = pending();
    expect(older.request.params.get('before')).toBe('4');
    older.flush({ entries: [entry(3, 'e3')], next_before: null });
    await fixture.whenStable();
    expect(component.entries().map((e) => e.id)).toEqual([5, 4, 3]);
  });
});
