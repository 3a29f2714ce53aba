import { attachmentLine, formatFileSize, refusedBeforeUpload, textWithoutAttachmentLines, typeAllowed, withAttachmentLines } from './files';

describe('file sizes and attachment lines', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 KB'],
    [48_211, '48 KB'],
    [1_500_000, '1.5 MB'],
    [100_000_000, '100 MB'],
    [2_500_000_000_000_000, '2500 TB'],
  ])('%d bytes read %s', (bytes, text) => {
    expect(formatFileSize(bytes)).toBe(text);
  });

  const files = [
    { name: 'plan.png', size: 48_211 },
    { name: 'notes.txt', size: 12 },
  ];

  it('puts a line per file after the text, and takes them off again', () => {
    const message = withAttachmentLines('See these', files);
    expect(message).toBe('See these\n📎 plan.png (48 KB)\n📎 notes.txt (12 B)');
    expect(textWithoutAttachmentLines(message, files)).toBe('See these');
    expect(attachmentLine(files[1])).toBe('📎 notes.txt (12 B)');
  });

  it('has only the lines when there is no text, and leaves text without them alone', () => {
    expect(withAttachmentLines('', files)).toBe('📎 plan.png (48 KB)\n📎 notes.txt (12 B)');
    expect(textWithoutAttachmentLines('📎 plan.png (48 KB)\n📎 notes.txt (12 B)', files)).toBe('');
    expect(withAttachmentLines('hi', [])).toBe('hi');
    // Someone typed a line like it themself: kept, since the files' own lines are not at the end.
    expect(textWithoutAttachmentLines('📎 plan.png (48 KB)', files)).toBe('📎 plan.png (48 KB)');
  });
});

describe('typeAllowed and refusedBeforeUpload', () => {
  it('matches *, a family and an exact type', () => {
    expect(typeAllowed('application/zip', ['*'])).toBe(true);
    expect(typeAllowed('image/png', ['image/*', 'application/pdf'])).toBe(true);
    expect(typeAllowed('application/pdf', ['image/*', 'application/pdf'])).toBe(true);
    expect(typeAllowed('text/html', ['image/*', 'application/pdf'])).toBe(false);
    expect(typeAllowed('imagery/png', ['image/*'])).toBe(false);
  });

  it('refuses what the server would: too large, or a type it does not take, in its words', () => {
    const limits = { max_bytes: 1_000_000, allowed_types: ['image/*', 'application/pdf'] };
    expect(refusedBeforeUpload({ size: 2_000_000, type: 'application/pdf' }, limits)).toBe('Files may be at most 1.0 MB');
    expect(refusedBeforeUpload({ size: 10, type: 'application/zip' }, limits)).toBe('Files of type application/zip are not accepted here (allowed: image/*, application/pdf)');
    expect(refusedBeforeUpload({ size: 10, type: 'application/pdf' }, limits)).toBeNull();
    // The server reads images' bytes and a type the browser did not name: left to it.
    expect(refusedBeforeUpload({ size: 10, type: 'image/heic' }, { ...limits, allowed_types: ['application/pdf'] })).toBeNull();
    expect(refusedBeforeUpload({ size: 10, type: '' }, limits)).toBeNull();
  });
});
