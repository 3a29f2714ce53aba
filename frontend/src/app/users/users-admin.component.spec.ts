import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { UsersAdminComponent } from './users-admin.component';

const user = (username: string) => ({ username, display_name: username, role: 'staff', disabled: false, has_password: true });

describe('UsersAdminComponent', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
    http = TestBed.inject(HttpTestingController);
  });
  afterEach(() => http.verify());

  const pending = () => http.match((request) => request.url === '/api/users');
  const shown = (fixture: { nativeElement: HTMLElement }) =>
    Array.from(fixture.nativeElement.querySelectorAll('tr[data-user]'), (row) => row.getAttribute('data-user'));

  it('shows the first page, then appends the next one from "More users"', async () => {
    const fixture = TestBed.createComponent(UsersAdminComponent);
    fixture.detectChanges();
    const [first] = pending();
    expect(first.request.params.keys()).toEqual([]);
    first.flush({ users: [user('al'), user('bo')], next_after: 'bo' });
    await fixture.whenStable();
    fixture.detectChanges();
    expect(shown(fixture)).toEqual(['al', 'bo']);

    (fixture.nativeElement.querySelector('button.more') as HTMLButtonElement).click();
    const [second] = pending();
    expect(second.request.params.get('after')).toBe('bo');
    second.flush({ users: [user('cy')], next_after: null });
    await fixture.whenStable();
    fixture.detectChanges();
    expect(shown(fixture)).toEqual(['al', 'bo', 'cy']);
    expect(fixture.nativeElement.querySelector('button.more')).toBeNull();
  });

  it('searches on the server, and a late answer for the old search does not replace the new one', async () => {
    const fixture = TestBed.createComponent(UsersAdminComponent);
    fixture.detectChanges();
    const component = fixture.componentInstance;
    component.searchFor(' zed ');
    const [unfiltered, search] = pending();
    expect(search.request.params.get('q')).toBe('zed');
    search.flush({ users: [user('zed')], next_after: null });
    await fixture.whenStable();
    unfiltered.flush({ users: [user('al')], next_after: 'al' });
    await fixture.whenStable();
    fixture.detectChanges();
    expect(shown(fixture)).toEqual(['zed']);
    expect(component.nextAfter()).toBeNull();
  });
});
