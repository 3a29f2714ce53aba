import { ErrorCodes, ServerEvents } from '@parley/contract';
import type { VerifiedConnection } from '../registry/user-registry.service';
import type { MessageRow, UserRow } from '../storage/database.types';
import { messageRow, userRow } from '../storage/testing/fixtures';
import { newTestService, type ServiceMocks } from '../testing/new-test-service';
import { MessageChangesService } from './message-changes.service';

describe('MessageChangesService', () => {
  const sam = userRow(1, 'staff', { username: 'sam' });
  const ada = userRow(9, 'admin', { username: 'ada' });
  const as = (user: UserRow): VerifiedConnection => ({ socketId: `socket-${user.id}`, user }) as VerifiedConnection;
  /** sam's post to the staff group, sent `minutes` ago. */
  const post = (minutes: number): MessageRow => ({ ...messageRow(5, 'hello'), sender_id: sam.id, sender_username: 'sam', sent_at: Date.now() - minutes * 60_000 });

  function build(window?: string): { service: MessageChangesService; mocks: ServiceMocks } {
    const { sut, mocks } = newTestService(MessageChangesService, { env: window === undefined ? {} : { PARLEY_EDIT_WINDOW_MINUTES: window } });
    mocks.broadcaster.emit.mockReturnValue(undefined);
    mocks.compactor.request.mockReturnValue(undefined);
    mocks.channel.channelIdsOf.mockResolvedValue([]);
    mocks.message.reactionsOf.mockResolvedValue(new Map());
    return { service: sut, mocks };
  }
  const edited = (row: MessageRow): MessageRow => ({ ...row, body: 'changed', rev: 50, edited_at: Date.now() });

  it.each([
    ['15 (default), 14 minutes after', undefined, 14, true],
    ['15 (default), 16 minutes after', undefined, 16, false],
    ['0, at once', '0', 0, false],
    ['always, a year after', 'always', 365 * 24 * 60, true],
  ])('edit window %s', async (_title, window, minutes, allowed) => {
    const { service, mocks } = build(window);
    const row = post(minutes);
    mocks.message.findById.mockResolvedValue(row);
    mocks.messageChanges.edit.mockResolvedValue(edited(row));
    const editing = service.edit(as(sam), { id: row.id, message: 'changed' });
    if (allowed) {
      await expect(editing).resolves.toMatchObject({ id: row.id, rev: 50 });
      // The old text is freed space now: the purge asks for compaction.
      expect(mocks.compactor.request).toHaveBeenCalled();
      expect(mocks.broadcaster.emit).toHaveBeenCalledWith(['user:1', 'group:staff'], ServerEvents.MessageEdited, expect.objectContaining({ message: 'changed' }));
    } else {
      await expect(editing).rejects.toMatchObject({ code: ErrorCodes.EditWindowClosed });
      expect(mocks.messageChanges.edit).not.toHaveBeenCalled();
    }
  });

  it('lets an admin delete past any window (window 0), audited without the text, and compacts', async () => {
    const { service, mocks } = build('0');
    const row = post(60);
    mocks.message.findById.mockResolvedValue(row);
    mocks.messageChanges.delete.mockResolvedValue({ ...row, body: '', deleted_at: Date.now(), rev: 51 });
    mocks.audit.insert.mockImplementation(async (entry) => ({ ...entry, id: 1, target: entry.target ?? null, ip: entry.ip ?? null, actor_id: entry.actor_id ?? null }));
    await expect(service.delete(as(sam), { id: row.id })).rejects.toMatchObject({ code: ErrorCodes.EditWindowClosed });
    await expect(service.delete(as(ada), { id: row.id })).resolves.toEqual({ id: row.id, rev: 51 });
    expect(mocks.compactor.request).toHaveBeenCalledTimes(1);
    const entry = mocks.audit.insert.mock.calls[0][0];
    expect(entry).toMatchObject({ action: 'message.moderated', actor_username: 'ada', target: 'sam' });
    expect(entry.details).not.toContain('hello');
  });

  it('reacts without purging anything, and adds a reaction one has as a no-op', async () => {
    const { service, mocks } = build();
    const row = post(0);
    mocks.message.findById.mockResolvedValue(row);
    mocks.messageChanges.hasReaction.mockResolvedValue(true);
    await expect(service.react(as(sam), { id: row.id, emoji: '👍', on: true })).resolves.toEqual({ id: row.id, rev: row.id, reactions: [] });
    expect(mocks.messageChanges.react).not.toHaveBeenCalled();
    expect(mocks.compactor.request).not.toHaveBeenCalled();
  });
});
