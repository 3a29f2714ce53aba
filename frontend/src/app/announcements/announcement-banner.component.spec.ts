import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { ServerEvents } from '@parley/contract';
import { AuthService } from '../core/auth.service';
import { ChatConnection, SocketService } from '../core/socket.service';
import { eventually } from '../../testing/eventually';
import { announcement, FakeAnnouncementSocket } from '../../testing/announcements';
import { AnnouncementBannerComponent } from './announcement-banner.component';

describe('AnnouncementBannerComponent', () => {
  let http: HttpTestingController;
  let socket: FakeAnnouncementSocket;

  beforeEach(() => {
    socket = new FakeAnnouncementSocket();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: ChatConnection, useValue: socket }, { provide: SocketService, useValue: socket }],
    });
    http = TestBed.inject(HttpTestingController);
  });
  afterEach(() => http.verify());

  const render = async (signedIn: boolean) => {
    if (signedIn) TestBed.inject(AuthService).user.set({ username: 'cleo', display_name: 'Cleo', role: 'client' });
    const fixture = TestBed.createComponent(AnnouncementBannerComponent);
    fixture.detectChanges();
    await fixture.whenStable();
    const element: HTMLElement = fixture.nativeElement;
    return { fixture, element };
  };
  const text = (element: HTMLElement) => element.textContent?.replace(/\s+/g, ' ').trim() ?? '';

  it('shows nothing, not even the region, to someone signed out', async () => {
    const { element } = await render(false);
    expect(element.querySelector('[role="region"]')).toBeNull();
  });

  it('keeps an empty polite live region while there is nothing to acknowledge', async () => {
    const { element } = await render(true);
    http.expectOne('/api/announcements').flush({ announcements: [] });
    const region = element.querySelector('[role="region"]');
    expect(region?.getAttribute('aria-live')).toBe('polite');
    expect(region?.getAttribute('aria-label')).toBe('Announcements');
    expect(element.querySelector('[data-testid="announcement-banner"]')).toBeNull();
  });

  it('shows the newest pending one with the count, and the next after acknowledging', async () => {
    const { fixture, element } = await render(true);
    http.expectOne('/api/announcements').flush({ announcements: [announcement(1, { message: 'older' })] });
    socket.push(ServerEvents.Announcement, announcement(2, { message: '**Fire drill** at 3' }));
    const banner = await eventually(async () => {
      fixture.detectChanges();
      await fixture.whenStable();
      return element.querySelector<HTMLElement>('[data-testid="announcement-banner"]') ?? false;
    });
    expect(text(banner)).toContain('Announcement from Ada');
    expect(text(banner)).toContain('1 of 2');
    // Formatted like a message, and never as raw HTML.
    expect(banner.querySelector('parley-message-text strong')?.textContent).toBe('Fire drill');
    const button = banner.querySelector<HTMLButtonElement>('button')!;
    expect(button.textContent?.trim()).toBe('Acknowledge');
    expect(button.getAttribute('aria-describedby')).toBe('announcement-text');
    button.click();
    http.expectOne('/api/announcements/2/ack').flush({ announcement: announcement(2, { acknowledged_at: '2026-12-01T10:00:00.000Z' }) });
    await eventually(async () => {
      fixture.detectChanges();
      await fixture.whenStable();
      return text(element).includes('older') && !text(element).includes('1 of');
    });
  });
});
