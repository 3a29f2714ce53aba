import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, UrlTree, type ActivatedRouteSnapshot, type RouterStateSnapshot } from '@angular/router';
import { type PublicUser, type Role, ROLES } from '@parley/contract';
import { AuthService } from './auth.service';
import { decide, roleGuard } from './role.guard';

const people: Record<Role, PublicUser> = {
  admin: { username: 'ada', display_name: 'Ada', role: 'admin' },
  staff: { username: 'sam', display_name: 'Sam', role: 'staff' },
  client: { username: 'cal', display_name: 'Cal', role: 'client' },
};
const names = ['ada', 'sam', 'cal', 'nobody'];

describe('decide (the role route guard)', () => {
  it.each(ROLES.flatMap((role) => names.map((name) => [role, name] as const)))(
    'sends a signed-out visitor of /%s/%s to the login page',
    (role, name) => {
      expect(decide(null, role, name)).toEqual({ allow: false, redirect: '/login' });
    },
  );

  // Every signed-in person against every role page and every name.
  const cases = ROLES.flatMap((who) => ROLES.flatMap((role) => names.map((name) => [who, role, name] as const)));
  it.each(cases)('%s user at /%s/%s', (who, role, name) => {
    const user = people[who];
    const own = user.role === role && user.username === name;
    expect(decide(user, role, name)).toEqual(own ? { allow: true } : { allow: false, redirect: `/${who}/${user.username}` });
  });

  it('matches the name case-insensitively, as user names are', () => {
    expect(decide(people.staff, 'staff', 'SAM')).toEqual({ allow: true });
  });

  it('requires the capability for admin pages, from the shared table', () => {
    expect(decide(people.admin, 'admin', 'ada', 'watchRoster')).toEqual({ allow: true });
    expect(decide(people.staff, 'admin', 'sam', 'watchRoster')).toEqual({ allow: false, redirect: '/staff/sam' });
  });
});

describe('roleGuard', () => {
  function run(user: PublicUser | null, url: string, role: Role, name: string) {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [provideRouter([]), { provide: AuthService, useValue: { whoAmI: () => Promise.resolve(user) } }],
    });
    const route = { data: { role }, paramMap: new Map([['name', name]]) } as unknown as ActivatedRouteSnapshot;
    return TestBed.runInInjectionContext(() => roleGuard(route, { url } as RouterStateSnapshot)) as Promise<boolean | UrlTree>;
  }

  it('lets the owner in and redirects anyone else with a router URL', async () => {
    expect(await run(people.client, '/client/cal', 'client', 'cal')).toBe(true);
    const redirect = await run(people.client, '/staff/sam', 'staff', 'sam');
    expect(TestBed.inject(Router).serializeUrl(redirect as UrlTree)).toBe('/client/cal');
  });
});
