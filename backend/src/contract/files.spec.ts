import { attachmentLine, formatFileSize, textWithoutAttachmentLines, withAttachmentLines } from './files';

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
