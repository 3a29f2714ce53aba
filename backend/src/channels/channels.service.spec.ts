import { ErrorCodes, ServerEvents } from '@parley/contract';
import type { ChannelListing, ChannelMemberRow } from '../storage/channel.repository';
import type { ChannelRow, UserRow } from '../storage/database.types';
import { userRow } from '../storage/testing/fixtures';
import { newTestService, type ServiceMocks } from '../testing/new-test-service';
import { ChannelsService } from './channels.service';

describe('ChannelsService', () => {
  let channels: ChannelsService;
  let mocks: ServiceMocks;

  const ada = userRow(1, 'admin', { username: 'ada' });
  const sam = userRow(2, 'staff', { username: 'sam' });
  const sue = userRow(3, 'staff', { username: 'sue' });
  const cleo = userRow(4, 'client', { username: 'cleo' });
  const cora = userRow(5, 'client', { username: 'cora' });
  const accounts: UserRow[] = [ada, sam, sue, cleo, cora];
  const member = (user: UserRow): ChannelMemberRow => ({ id: user.id, username: user.username, display_name: user.display_name, role: user.role });

  const row: ChannelRow = { id: 7, name: 'launch', topic: '', visibility: 'private', created_by: sam.id, created_at: 0, updated_at: 0, archived_at: null };
  const listing = (fields: Partial<ChannelListing> = {}): ChannelListing => ({ ...row, creator: 'sam', member: true, roleCounts: { staff: 2, client: 2 }, ...fields });

  beforeEach(() => {
    ({ sut: channels, mocks } = newTestService(ChannelsService));
    mocks.user.findByUsername.mockImplementation(async (name) => accounts.find((u) => u.username === name));
  });

  describe('create', () => {
    it('refuses a role without createChannels before reading anything', async () => {
      await expect(channels.create(cleo, { name: 'mine', visibility: 'public' })).rejects.toMatchObject({ code: ErrorCodes.Forbidden });
    });

    it('refuses a taken name, and a member the creator may not message as one that does not exist', async () => {
      mocks.channel.findByName.mockResolvedValueOnce(row);
      await expect(channels.create(sam, { name: 'launch', visibility: 'public' })).rejects.toMatchObject({ code: ErrorCodes.ChannelExists });
      mocks.channel.findByName.mockResolvedValue(undefined);
      await expect(channels.create(sam, { name: 'new', visibility: 'public', members: ['nobody'] })).rejects.toMatchObject({ code: ErrorCodes.UnknownRecipient, message: expect.stringContaining('nobody') });
      expect(mocks.channel.create).not.toHaveBeenCalled();
    });

    it("puts every member's sockets in the channel's room and tells each what they see", async () => {
      mocks.channel.findByName.mockResolvedValue(undefined);
      mocks.channel.create.mockResolvedValue(row);
      mocks.channel.listingByName.mockImplementation(async (_name, viewerId) => listing({ member: viewerId !== 0 }));
      mocks.channel.members.mockResolvedValue([sam, sue, cleo, cora].map(member));
      mocks.broadcaster.joinRoom.mockReturnValue(undefined);
      mocks.broadcaster.emit.mockReturnValue(undefined);

      const info = await channels.create(sam, { name: 'launch', visibility: 'private', members: ['sue', 'cleo', 'cora'] });

      expect(info).toMatchObject({ conversation: 'channel:launch', member: true, manageable: true, member_count: 4 });
      expect(mocks.channel.create).toHaveBeenCalledWith(expect.objectContaining({ name: 'launch', createdBy: sam.id, memberIds: [sue.id, cleo.id, cora.id] }));
      expect(mocks.broadcaster.joinRoom).toHaveBeenCalledWith(['user:2', 'user:3', 'user:4', 'user:5'], 'channel:7');
      const emits = mocks.broadcaster.emit.mock.calls.map(([rooms, event, payload, except]) => ({ rooms, event, payload, except }));
      // The clients (two, seeing 3 members each: no other client) are the largest group: the room, minus the others.
      expect(emits).toEqual([
        {
          rooms: ['channel:7', 'user:4', 'user:5'],
          event: ServerEvents.ChannelUpdated,
          payload: { channel: expect.objectContaining({ manageable: false, member_count: 3 }) },
          except: ['user:3', 'user:2'],
        },
        { rooms: ['user:3'], event: ServerEvents.ChannelUpdated, payload: { channel: expect.objectContaining({ manageable: false, member_count: 4 }) }, except: undefined },
        { rooms: ['user:2'], event: ServerEvents.ChannelUpdated, payload: { channel: expect.objectContaining({ manageable: true, member_count: 4 }) }, except: undefined },
      ]);
    });
  });

  describe('who sees a channel', () => {
    it('answers a private channel to a non-member, an admin too, exactly as a missing one', async () => {
      mocks.channel.listingByName.mockImplementation(async (name) => (name === 'launch' ? listing({ member: false }) : undefined));
      const secret = await channels.get(ada, 'launch').catch((error: unknown) => error);
      const missing = await channels.get(ada, 'nothing').catch((error: unknown) => error);
      expect(secret).toMatchObject({ code: ErrorCodes.NotFound, message: 'No channel named launch' });
      expect(missing).toMatchObject({ code: ErrorCodes.NotFound, message: 'No channel named nothing' });
    });

    it('shows a public channel to roles that may join channels, not to clients', async () => {
      mocks.channel.listingByName.mockResolvedValue(listing({ member: false, visibility: 'public' }));
      expect(await channels.get(sue, 'launch')).toMatchObject({ member: false, manageable: false });
      await expect(channels.get(cleo, 'launch')).rejects.toMatchObject({ code: ErrorCodes.NotFound });
    });

    it('lists to a client itself and the members who are not clients', async () => {
      mocks.channel.listingByName.mockResolvedValue(listing());
      mocks.channel.members.mockResolvedValue([sam, cleo, cora].map(member));
      expect((await channels.members(cleo, 'launch')).map((m) => m.username)).toEqual(['sam', 'cleo']);
      expect((await channels.members(sue, 'launch')).map((m) => m.username)).toEqual(['sam', 'cleo', 'cora']);
    });
  });

  describe('members', () => {
    it('lets a member who is not a client invite, and no one else', async () => {
      mocks.channel.listingByName.mockResolvedValue(listing({ member: true }));
      await expect(channels.addMember(cleo, 'launch', 'sue')).rejects.toMatchObject({ code: ErrorCodes.Forbidden });
      mocks.channel.listingByName.mockResolvedValue(listing({ member: false, visibility: 'public' }));
      await expect(channels.addMember(sue, 'launch', 'cleo')).rejects.toMatchObject({ code: ErrorCodes.Forbidden });
      mocks.channel.listingByName.mockResolvedValue(listing({ archived_at: 1 }));
      await expect(channels.addMember(sam, 'launch', 'sue')).rejects.toMatchObject({ code: ErrorCodes.ChannelArchived });
      expect(mocks.channel.addMembers).not.toHaveBeenCalled();
    });

    it('removes only for a manager; whoever leaves is told on every device and leaves the room', async () => {
      mocks.channel.listingByName.mockImplementation(async (_name, viewerId) => listing({ member: viewerId !== 0 }));
      await expect(channels.removeMember(sue, 'launch', 'cleo')).rejects.toMatchObject({ code: ErrorCodes.Forbidden });
      mocks.channel.removeMember.mockResolvedValue(true);
      mocks.channel.members.mockResolvedValue([member(sam)]);
      mocks.broadcaster.leaveRoom.mockReturnValue(undefined);
      mocks.broadcaster.emit.mockReturnValue(undefined);
      await channels.removeMember(sue, 'launch', 'sue');
      expect(mocks.broadcaster.leaveRoom).toHaveBeenCalledWith('user:3', 'channel:7');
      expect(mocks.broadcaster.emit).toHaveBeenCalledWith(['user:3'], ServerEvents.ChannelRemoved, { conversation: 'channel:launch' });
    });
  });
});
