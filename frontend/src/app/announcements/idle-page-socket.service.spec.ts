import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { ClientEvents } from '@parley/contract';
import { AuthService } from '../core/auth.service';
import { SocketService } from '../core/socket.service';
import { eventually } from '../../testing/eventually';
import { FakeAnnouncementSocket } from '../../testing/announcements';
import { IdlePageSocket } from './idle-page-socket.service';

let socket: FakeAnnouncementSocket;

@Component({ template: 'users' })
class SocketlessPage {}

/** Like the chat and roster pages: opens the socket itself. */
@Component({ template: 'chat' })
class SocketPage {
  constructor() {
    socket.connect();
  }
}

describe('IdlePageSocket', () => {
  let harness: RouterTestingHarness | undefined;
  beforeEach(() => {
    harness = undefined;
    socket = new FakeAnnouncementSocket();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: 'users', component: SocketlessPage },
          { path: 'chat', component: SocketPage },
        ]),
        { provide: SocketService, useValue: socket },
      ],
    });
    TestBed.inject(AuthService).user.set({ username: 'ada', display_name: 'Ada', role: 'admin' });
    TestBed.inject(IdlePageSocket);
  });

  const go = async (url: string) => {
    harness ??= await RouterTestingHarness.create();
    await harness.navigateByUrl(url);
    TestBed.tick();
  };

  it('opens and verifies the socket on a page without one, and leaves it to a page that has its own', async () => {
    await go('/users');
    await eventually(() => socket.status() === 'online');
    await eventually(() => socket.requested.includes(ClientEvents.VerifyUser));
    const verifies = socket.requested.length;
    await go('/chat');
    // The chat page connected by itself after this service let go: it verifies, this does not.
    await eventually(() => socket.status() === 'online');
    expect(socket.requested.length).toBe(verifies);
  });

  it('does nothing for someone signed out', async () => {
    TestBed.inject(AuthService).user.set(null);
    await go('/users');
    expect(socket.status()).toBe('offline');
  });
});
