import { type Attachment, withAttachmentLines, type WireMessage } from '@parley/contract';
import { toChatMessage } from '../chat/chat.model';
import { fileIcon, isInlineImage, thumbnailSize } from './files.model';

describe('files in messages', () => {
  const plan: Attachment = { id: 'f1', name: 'plan.png', size: 48_211, content_type: 'image/png', width: 1200, height: 800, thumbnail_url: '/api/files/f1/thumbnail' };
  const notes: Attachment = { id: 'f2', name: 'notes.txt', size: 40, content_type: 'text/plain' };

  it('reads what the sender wrote without the line per file the server adds for text-only clients', () => {
    const wire: WireMessage = {
      message: withAttachmentLines('See the plan', [plan, notes]), sender: 's', sender_name: 'sam', id: 1, sent_at: '2026-12-02T09:00:00.000Z',
      sender_role: 'staff', target_kind: 'group', target: 'staff', client_id: null, attachments: [plan, notes],
    };
    expect(toChatMessage(wire, 'sue')).toMatchObject({ text: 'See the plan', attachments: [plan, notes] });
    expect(toChatMessage({ ...wire, message: withAttachmentLines('', [plan]), attachments: [plan] }, 'sue').text).toBe('');
    // A message without files keeps a line that merely looks like one.
    expect(toChatMessage({ ...wire, message: '📎 plan.png (48 KB)', attachments: undefined }, 'sue')).toMatchObject({ text: '📎 plan.png (48 KB)' });
  });

  it('scales a thumbnail down (never up) to fit 320 × 240, keeping its proportions', () => {
    expect(thumbnailSize(plan)).toEqual({ width: 320, height: 213 });
    expect(thumbnailSize({ width: 600, height: 1200 })).toEqual({ width: 120, height: 240 });
    expect(thumbnailSize({ width: 100, height: 50 })).toEqual({ width: 100, height: 50 });
    expect(thumbnailSize({ width: 5000, height: 1 })).toEqual({ width: 320, height: 1 });
    expect(thumbnailSize({})).toBeNull();
  });

  it('shows only pictures a browser displays, with a thumbnail, inline; the rest as files with a type icon', () => {
    expect(isInlineImage(plan)).toBe(true);
    expect(isInlineImage({ ...plan, thumbnail_url: undefined })).toBe(false);
    expect(isInlineImage({ ...plan, content_type: 'image/svg+xml' })).toBe(false);
    expect(['application/pdf', 'text/plain', 'application/zip', 'video/mp4', 'application/octet-stream'].map(fileIcon)).toEqual([
      'picture_as_pdf', 'description', 'folder_zip', 'movie', 'draft',
    ]);
  });
});
