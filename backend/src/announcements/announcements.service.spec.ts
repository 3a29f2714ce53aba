import { ErrorCodes, ServerEvents } from '@parley/contract';
import type { AnnouncementView } from '../storage/announcement.repository';
import type { UserRow } from '../storage/database.types';
import { userRow } from '../storage/testing/fixtures';
import { newTestService } from '../testing/new-test-service';
import { AnnouncementsService } from './announcements.service';

const user = (id: number, username: string, role: UserRow['role']): UserRow => userRow(id, role, { username, display_name: username });
const ada = user(1, 'ada', 'admin');
const cleo = user(2, 'cleo', 'client');
const view = (over: Partial<AnnouncementView> = {}): AnnouncementView => ({
  id: 7,
  authorUsername: 'ada',
  authorDisplayName: 'Ada',
  body: 'Fire drill',
  roles: ['client'],
  createdAt: Date.UTC(2026, 11, 1),
  ackedAt: null,
  ...over,
});

describe('AnnouncementsService', () => {
  it('stores the roles in the table order, everyone when none are given, and emits to each role room', async () => {
    const { sut, mocks } = newTestService(AnnouncementsService);
    mocks.announcement.insert.mockImplementation(async (a) => view({ roles: [...a.roles] }));
    mocks.broadcaster.emit.mockReturnValue(undefined);
    await sut.create(ada, { message: 'hi', roles: ['client', 'admin'] });
    expect(mocks.announcement.insert.mock.calls[0][0].roles).toEqual(['admin', 'client']);
    expect(mocks.broadcaster.emit).toHaveBeenLastCalledWith(['role:admin', 'role:client'], ServerEvents.Announcement, expect.objectContaining({ roles: ['admin', 'client'] }));
    await sut.create(ada, { message: 'hi' });
    expect(mocks.announcement.insert.mock.calls[1][0].roles).toEqual(['admin', 'staff', 'client']);
  });

  it('tells the devices and the admins about a first acknowledgement only', async () => {
    const { sut, mocks } = newTestService(AnnouncementsService);
    mocks.announcement.findById.mockResolvedValue(view());
    mocks.announcement.acknowledge.mockResolvedValueOnce({ first: true, ackedAt: 1_000 }).mockResolvedValueOnce({ first: false, ackedAt: 1_000 });
    mocks.broadcaster.emit.mockReturnValue(undefined);
    const first = await sut.acknowledge(cleo, 7);
    const again = await sut.acknowledge(cleo, 7);
    expect(first.acknowledged_at).toBe(new Date(1_000).toISOString());
    expect(again.acknowledged_at).toBe(first.acknowledged_at);
    expect(mocks.broadcaster.emit).toHaveBeenCalledTimes(1);
    expect(mocks.broadcaster.emit).toHaveBeenCalledWith(['user:2', 'role:admin'], ServerEvents.AnnouncementAcked, {
      id: 7,
      user_name: 'cleo',
      acknowledged_at: first.acknowledged_at,
    });
  });

  it("answers another role's announcement as one that does not exist, and records nothing", async () => {
    const { sut, mocks } = newTestService(AnnouncementsService);
    mocks.announcement.findById.mockResolvedValueOnce(view({ roles: ['staff'] })).mockResolvedValueOnce(undefined);
    await expect(sut.acknowledge(cleo, 7)).rejects.toMatchObject({ code: ErrorCodes.NotFound, message: 'No such announcement' });
    await expect(sut.acknowledge(cleo, 8)).rejects.toMatchObject({ code: ErrorCodes.NotFound, message: 'No such announcement' });
    expect(mocks.announcement.acknowledge).not.toHaveBeenCalled();
  });
});
