import { canSendToGroup, canSendToUser, CAPABILITIES, DEFAULT_PERMISSIONS, groupsFor } from './permissions';

describe('the default permission table', () => {
  it('lets admins and staff reach every group and user', () => {
    for (const role of ['admin', 'staff'] as const) {
      expect(groupsFor(DEFAULT_PERMISSIONS, role)).toEqual(['admin', 'staff', 'client']);
      expect(canSendToUser(DEFAULT_PERMISSIONS, role, 'client')).toBe(true);
    }
  });

  it('keeps clients from the client group and from other clients', () => {
    expect(groupsFor(DEFAULT_PERMISSIONS, 'client')).toEqual(['admin', 'staff']);
    expect(canSendToGroup(DEFAULT_PERMISSIONS, 'client', 'client')).toBe(false);
    expect(canSendToUser(DEFAULT_PERMISSIONS, 'client', 'client')).toBe(false);
    expect(canSendToUser(DEFAULT_PERMISSIONS, 'client', 'staff')).toBe(true);
  });

  it('gives user management, the roster and the metrics to admins only', () => {
    expect(Object.entries(CAPABILITIES).filter(([, c]) => c.manageUsers || c.watchRoster || c.readMetrics).map(([r]) => r)).toEqual(['admin']);
  });
});
