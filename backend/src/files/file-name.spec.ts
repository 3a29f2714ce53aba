import { FILE_NAME_MAX_CHARS } from '@parley/contract';
import { safeContentType, safeFileName } from './file-name';

describe('safeFileName', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\sam\\notes.txt', 'notes.txt'],
    ['a\u0000b\u0007c.txt', 'abc.txt'],
    ['invoice\u202Egpj.exe', 'invoicegpj.exe'],
    ['.bashrc', 'bashrc'],
    ['line\nbreak.txt', 'line break.txt'],
    ['Cafe\u0301.png', 'Café.png'],
    ['上海 地图.jpg', '上海 地图.jpg'],
    ['', 'file'],
    [undefined, 'file'],
    ['/', 'file'],
    ['...', 'file'],
  ])('%j → %j', (raw, safe) => {
    expect(safeFileName(raw)).toBe(safe);
  });

  it('shortens a long name keeping its extension, on a character boundary', () => {
    const name = safeFileName(`${'😀'.repeat(300)}.tar.gz`);
    expect(Array.from(name)).toHaveLength(FILE_NAME_MAX_CHARS);
    expect(name.endsWith('😀.gz')).toBe(true);
  });
});

describe('safeContentType', () => {
  it.each([
    ['image/PNG', 'image/png'],
    ['text/html; charset=utf-8', 'text/html'],
    ['', 'application/octet-stream'],
    [undefined, 'application/octet-stream'],
    ['text/html\r\nX-Evil: 1', 'application/octet-stream'],
    ['nonsense', 'application/octet-stream'],
  ])('%j → %j', (declared, type) => {
    expect(safeContentType(declared)).toBe(type);
  });
});
