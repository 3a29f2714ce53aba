import { ANNOUNCEMENT_MAX_CHARS } from '@parley/contract';
import { announcementStatus } from '../../testing/announcements';
import { ackLabel, appendOlder, applyAck, audienceLabel, formProblems } from './announcements.model';

describe('announcements model', () => {
  it('names the audience', () => {
    expect(audienceLabel(['admin', 'staff', 'client'])).toBe('everyone');
    expect(audienceLabel(['staff', 'client'])).toBe('staff and clients');
    expect(audienceLabel(['client'])).toBe('clients');
  });

  it('counts an acknowledgement on the right announcement only', () => {
    const list = applyAck([announcementStatus(1), announcementStatus(2)], { id: 2, user_name: 'cleo', acknowledged_at: '2026-12-01T10:00:00.000Z' });
    expect(list.map(ackLabel)).toEqual(['0 of 2 acknowledged', '1 of 2 acknowledged']);
  });

  it('says what is wrong with the form', () => {
    expect(formProblems('  ', ['client'], ANNOUNCEMENT_MAX_CHARS)).toEqual({ message: 'Write the announcement first.' });
    expect(formProblems('hi', [], ANNOUNCEMENT_MAX_CHARS)).toEqual({ roles: 'Pick at least one role.' });
    expect(formProblems('x'.repeat(ANNOUNCEMENT_MAX_CHARS + 1), ['client'], ANNOUNCEMENT_MAX_CHARS)?.message).toContain(`At most ${ANNOUNCEMENT_MAX_CHARS}`);
    expect(formProblems('hi', ['client'], ANNOUNCEMENT_MAX_CHARS)).toBeNull();
  });

  it('appends an older page without repeating rows', () => {
    expect(appendOlder([announcementStatus(3), announcementStatus(2)], [announcementStatus(2), announcementStatus(1)]).map((a) => a.id)).toEqual([3, 2, 1]);
  });
});
