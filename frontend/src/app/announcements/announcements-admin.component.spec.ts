import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { ClientEvents, ServerEvents } from '@parley/contract';
import { AuthService } from '../core/auth.service';
import { SocketService } from '../core/socket.service';
import { eventually } from '../../testing/eventually';
import { announcementStatus, FakeAnnouncementSocket } from '../../testing/announcements';
import { AnnouncementsAdminComponent } from './announcements-admin.component';

describe('AnnouncementsAdminComponent', () => {
  let http: HttpTestingController;
  let socket: FakeAnnouncementSocket;
  let fixture: ComponentFixture<AnnouncementsAdminComponent>;
  let element: HTMLElement;

  beforeEach(() => {
    socket = new FakeAnnouncementSocket();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: SocketService, useValue: socket }],
    });
    TestBed.inject(AuthService).user.set({ username: 'ada', display_name: 'Ada', role: 'admin' });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(AnnouncementsAdminComponent);
    element = fixture.nativeElement;
    fixture.detectChanges();
  });
  afterEach(() => http.verify());

  const text = () => element.textContent?.replace(/\s+/g, ' ') ?? '';
  const settle = async () => {
    fixture.detectChanges();
    await fixture.whenStable();
  };
  /** Answers list loads with `list` until none is left (the page loads at once, and again once verified). */
  const answerLists = async (list = [announcementStatus(1)]) => {
    await eventually(async () => {
      http.match((r) => r.url === '/api/admin/announcements').forEach((load: TestRequest) => load.flush({ announcements: list }));
      await settle();
      return !fixture.componentInstance.loading();
    });
    await settle();
  };
  const submit = async () => {
    element.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await settle();
  };

  it('verifies its socket, so acknowledgements reach it, and moves the count live', async () => {
    await answerLists([announcementStatus(1, { audience: 2 })]);
    expect(socket.requested).toContain(ClientEvents.VerifyUser);
    expect(text()).toContain('0 of 2 acknowledged');
    socket.push(ServerEvents.AnnouncementAcked, { id: 1, user_name: 'cleo', acknowledged_at: '2026-12-01T10:00:00.000Z' });
    await settle();
    expect(text()).toContain('1 of 2 acknowledged');
  });

  it('says when the counts may be out of date because the connection is down, and catches up after it', async () => {
    await answerLists([announcementStatus(1, { audience: 2 })]);
    socket.disconnect();
    await settle();
    expect(text()).toContain('Connection lost. Reconnecting… The counts below may be out of date.');
    socket.connect();
    // A reconnect verifies again and reloads the counts it may have missed.
    await answerLists([announcementStatus(1, { audience: 2, acknowledged: 2 })]);
    expect(text()).not.toContain('Connection lost');
    expect(text()).toContain('2 of 2 acknowledged');
  });

  it('says what is wrong before sending anything', async () => {
    await answerLists();
    await submit();
    expect(text()).toContain('Write the announcement first.');
    element.querySelectorAll<HTMLInputElement>('mat-checkbox input').forEach((box) => box.click());
    await settle();
    expect(text()).toContain('Pick at least one role.');
    http.expectNone('/api/announcements');
  });

  it('posts to everyone by default, and to the chosen roles otherwise', async () => {
    await answerLists();
    fixture.componentInstance.message.set('Fire drill');
    await submit();
    const everyone = http.expectOne('/api/announcements');
    expect(everyone.request.body).toEqual({ message: 'Fire drill' });
    everyone.flush({ announcement: { ...announcementStatus(2), roles: ['admin', 'staff', 'client'] } });
    await answerLists([announcementStatus(2), announcementStatus(1)]);
    expect(text()).toContain('Posted to everyone.');

    fixture.componentInstance.toggle('admin', false);
    fixture.componentInstance.message.set('Clients and staff');
    await submit();
    expect(http.expectOne('/api/announcements').request.body).toEqual({ message: 'Clients and staff', roles: ['staff', 'client'] });
  });

  it('shows the empty state, and an error with a way to retry', async () => {
    await answerLists([]);
    expect(text()).toContain('No announcements yet.');
    const reload = fixture.componentInstance.load(false);
    http.expectOne((r) => r.url === '/api/admin/announcements').flush({ message: 'Server down' }, { status: 503, statusText: 'Unavailable' });
    await reload;
    await settle();
    expect(text()).toContain('Server down');
    expect(element.querySelector('[role="alert"] button')?.textContent).toContain('Retry');
  });
});
