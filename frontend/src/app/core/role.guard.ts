import { inject } from '@angular/core';
import { Router, type CanActivateFn } from '@angular/router';
import { hasCapability, type PublicUser, type RoleCapabilities } from '@parley/contract';
import { AuthService, homeOf } from './auth.service';

export type GuardDecision = { allow: true } | { allow: false; redirect: string };

/**
 * Only the signed-in user whose role and name are in the URL may enter; everyone else goes to
 * their own page, or to the login page. A capability (from the shared table) can be required too.
 */
export function decide(
  user: PublicUser | null,
  role: string,
  name: string | null,
  capability?: keyof RoleCapabilities,
): GuardDecision {
  if (!user) return { allow: false, redirect: '/login' };
  const own = user.role === role && user.username === (name ?? '').toLowerCase();
  if (own && (!capability || hasCapability(user.role, capability))) return { allow: true };
  return { allow: false, redirect: homeOf(user) };
}

export const roleGuard: CanActivateFn = async (route) => {
  // inject() works only before the first await.
  const router = inject(Router);
  const user = await inject(AuthService).whoAmI();
  const decision = decide(user, route.data['role'] as string, route.paramMap.get('name'), route.data['capability']);
  return decision.allow ? true : router.parseUrl(decision.redirect);
};

/** `/`: a signed-in user to their page, everyone else to the login page. */
export const homeRedirect: CanActivateFn = async () => {
  const router = inject(Router);
  const user = await inject(AuthService).whoAmI();
  return router.parseUrl(user ? homeOf(user) : '/login');
};
