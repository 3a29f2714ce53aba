import type { Routes } from '@angular/router';
import { homeRedirect, roleGuard } from './core/role.guard';

export const routes: Routes = [
  { path: '', pathMatch: 'full', canActivate: [homeRedirect], children: [] },
  { path: 'login', title: 'Sign in · Parley', loadComponent: () => import('./login/login.component').then((m) => m.LoginComponent) },
  // The prototype's page addresses, kept: /<role>/<name>.
  ...(['admin', 'staff', 'client'] as const).map((role) => ({
    path: `${role}/:name`,
    canActivate: [roleGuard],
    data: { role },
    loadComponent: () => import('./chat/chat-page.component').then((m) => m.ChatPageComponent),
  })),
  // Everyone's own account (display name, password): /<role>/<name>/account.
  ...(['admin', 'staff', 'client'] as const).map((role) => ({
    path: `${role}/:name/account`,
    title: 'Account · Parley',
    canActivate: [roleGuard],
    data: { role },
    loadComponent: () => import('./account/account-page.component').then((m) => m.AccountPageComponent),
  })),
  {
    path: 'admin/:name/roster',
    title: 'Roster · Parley',
    canActivate: [roleGuard],
    data: { role: 'admin', capability: 'watchRoster' },
    loadComponent: () => import('./roster/roster.component').then((m) => m.RosterComponent),
  },
  {
    path: 'admin/:name/users',
    title: 'Users · Parley',
    canActivate: [roleGuard],
    data: { role: 'admin', capability: 'manageUsers' },
    loadComponent: () => import('./users/users-admin.component').then((m) => m.UsersAdminComponent),
  },
  {
    path: 'admin/:name/audit',
    title: 'Audit log · Parley',
    canActivate: [roleGuard],
    data: { role: 'admin', capability: 'readAuditLog' },
    loadComponent: () => import('./audit/audit-log.component').then((m) => m.AuditLogComponent),
  },
  {
    path: 'admin/:name/announcements',
    title: 'Announcements · Parley',
    canActivate: [roleGuard],
    data: { role: 'admin', capability: 'announce' },
    loadComponent: () => import('./announcements/announcements-admin.component').then((m) => m.AnnouncementsAdminComponent),
  },
  {
    path: 'admin/:name/retention',
    title: 'Retention & export · Parley',
    canActivate: [roleGuard],
    data: { role: 'admin', capability: 'manageRetention' },
    loadComponent: () => import('./retention/retention-admin.component').then((m) => m.RetentionAdminComponent),
  },
  {
    path: 'admin/:name/webhooks',
    title: 'Webhooks · Parley',
    canActivate: [roleGuard],
    data: { role: 'admin', capability: 'manageWebhooks' },
    loadComponent: () => import('./webhooks/webhooks-admin.component').then((m) => m.WebhooksAdminComponent),
  },
  { path: '**', redirectTo: '' },
];
