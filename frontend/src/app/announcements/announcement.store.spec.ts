import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { type Announcement, type PublicUser, ServerEvents } from '@parley/contract';
import { AuthService } from '../core/auth.service';
import { ChatConnection, SocketService } from '../core/socket.service';
import { eventually } from '../../testing/eventually';
import { AnnouncementStore } from './announcement.store';
import { announcement, FakeAnnouncementSocket } from '../../testing/announcements';

const cleo: PublicUser = { username: 'cleo', display_name: 'Cleo', role: 'client' };

describe('AnnouncementStore', () => {
  let http: HttpTestingController;
  let socket: FakeAnnouncementSocket;
  let auth: AuthService;
  let store: AnnouncementStore;

  beforeEach(() => {
    socket = new FakeAnnouncementSocket();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: ChatConnection, useValue: socket }, { provide: SocketService, useValue: socket }],
    });
    http = TestBed.inject(HttpTestingController);
    auth = TestBed.inject(AuthService);
    store = TestBed.inject(AnnouncementStore);
  });
  afterEach(() => http.verify());

  /** Answers every outstanding GET /api/announcements with `list`. */
  const answer = async (list: Announcement[]) => {
    // match() takes the requests it returns off the open list: each is flushed here or never.
    const requests = await eventually(() => {
      const found = http.match('/api/announcements');
      return found.length > 0 ? found : false;
    });
    for (const request of requests) request.flush({ announcements: list });
    await eventually(() => store.pending().length === list.filter((a) => a.acknowledged_at === null).length);
  };

  const signIn = async (list: Announcement[]) => {
    auth.user.set(cleo);
    TestBed.tick();
    await answer(list);
  };

  it('loads on sign-in and keeps the pending ones, newest first', async () => {
    await signIn([announcement(3), announcement(2, { acknowledged_at: '2026-12-01T10:00:00.000Z' }), announcement(1)]);
    expect(store.pending().map((a) => a.id)).toEqual([3, 1]);
  });

  it('adds one that arrives live, once', async () => {
    await signIn([announcement(1)]);
    socket.push(ServerEvents.Announcement, announcement(2));
    socket.push(ServerEvents.Announcement, announcement(2));
    expect(store.pending().map((a) => a.id)).toEqual([2, 1]);
  });

  it('keeps one that arrived live while a load was on its way', async () => {
    auth.user.set(cleo);
    TestBed.tick();
    const [load] = await eventually(() => {
      const found = http.match('/api/announcements');
      return found.length > 0 ? found : false;
    });
    socket.push(ServerEvents.Announcement, announcement(2));
    load.flush({ announcements: [announcement(1)] });
    await eventually(() => store.pending().length === 2);
    expect(store.pending().map((a) => a.id)).toEqual([2, 1]);
  });

  it('acknowledges over REST and drops it from the pending ones', async () => {
    await signIn([announcement(1)]);
    const done = store.acknowledge(1);
    // A second click while the first is out sends nothing more.
    void store.acknowledge(1);
    const [ack] = http.match('/api/announcements/1/ack');
    expect(ack.request.method).toBe('POST');
    ack.flush({ announcement: announcement(1, { acknowledged_at: '2026-12-01T10:00:00.000Z' }) });
    await done;
    expect(store.pending()).toEqual([]);
  });

  it("drops it when another of the person's devices acknowledged it, not when someone else did", async () => {
    await signIn([announcement(1)]);
    socket.push(ServerEvents.AnnouncementAcked, { id: 1, user_name: 'carl', acknowledged_at: '2026-12-01T10:00:00.000Z' });
    expect(store.pending().length).toBe(1);
    socket.push(ServerEvents.AnnouncementAcked, { id: 1, user_name: 'cleo', acknowledged_at: '2026-12-01T10:00:00.000Z' });
    expect(store.pending()).toEqual([]);
  });

  it('keeps it and says why when the acknowledgement fails', async () => {
    await signIn([announcement(1)]);
    const done = store.acknowledge(1);
    http.expectOne('/api/announcements/1/ack').flush({ message: 'No such announcement' }, { status: 404, statusText: 'Not Found' });
    await done;
    expect(store.pending().length).toBe(1);
    expect(store.error()).toContain('No such announcement');
  });

  it('catches up after a reconnect, and forgets everything on sign-out', async () => {
    await signIn([announcement(1)]);
    socket.connect();
    await answer([announcement(2), announcement(1)]);
    auth.user.set(null);
    TestBed.tick();
    expect(store.pending()).toEqual([]);
  });
});
