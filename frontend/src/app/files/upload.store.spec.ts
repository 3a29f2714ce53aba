import { HttpEventType, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { ErrorCodes, MAX_ATTACHMENTS } from '@parley/contract';
import { uploaded } from '../../testing/uploaded-file';
import { ID_GENERATOR } from '../core/tokens';
import { Subject } from 'rxjs';
import { type ResumableEvent, ResumableUploader } from './resumable-uploader';
import { RESUMABLE_FROM_BYTES, UploadStore } from './upload.store';

describe('UploadStore', () => {
  let store: UploadStore;
  let http: HttpTestingController;
  /** tus itself is test/resumable-uploads.e2e-spec.ts's and the browser spec's; here, what the store does with its events. */
  const resumable = { uploads: [] as { file: File; events: Subject<ResumableEvent> }[] };
  const fakeUploader = {
    upload: (file: File) => {
      const entry = { file, events: new Subject<ResumableEvent>() };
      resumable.uploads.push(entry);
      return entry.events.asObservable();
    },
  };
  const file = (name: string, text = 'hello') => new File([text], name, { type: 'text/plain' });

  beforeEach(() => {
    let next = 0;
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), { provide: ID_GENERATOR, useValue: () => `u${++next}` }, { provide: ResumableUploader, useValue: fakeUploader }],
    });
    store = TestBed.inject(UploadStore);
    http = TestBed.inject(HttpTestingController);
  });
  afterEach(() => http.verify());

  it('uploads each file at once as multipart, showing the share sent, then the server\'s answer', () => {
    store.add('sam', 'group:staff', [file('notes.txt')]);
    const request = http.expectOne('/api/files');
    expect(request.request.method).toBe('POST');
    expect(request.request.reportProgress).toBe(true);
    const body = request.request.body as FormData;
    expect((body.get('file') as File).name).toBe('notes.txt');
    expect(store.uploads('sam', 'group:staff')).toEqual([expect.objectContaining({ key: 'u1', name: 'notes.txt', size: 5, state: 'uploading', progress: 0 })]);

    request.event({ type: HttpEventType.UploadProgress, loaded: 2, total: 5 });
    expect(store.uploads('sam', 'group:staff')[0].progress).toBe(0.4);
    request.flush(uploaded('notes.txt'), { status: 201, statusText: 'Created' });
    expect(store.uploads('sam', 'group:staff')[0]).toMatchObject({ state: 'uploaded', progress: 1, file: uploaded('notes.txt') });
  });

  it('cancels by aborting the request, and keeps each conversation\'s files apart', () => {
    store.add('sam', 'group:staff', [file('a.txt')]);
    store.add('sam', 'user:sue', [file('b.txt')]);
    const [a, b] = http.match('/api/files');
    store.remove('sam', 'group:staff', 'u1');
    expect(a.cancelled).toBe(true);
    expect(b.cancelled).toBe(false);
    expect(store.uploads('sam', 'group:staff')).toEqual([]);
    expect(store.uploads('sam', 'user:sue').map((u) => u.name)).toEqual(['b.txt']);
    expect(store.uploads('sue', 'user:sue')).toEqual([]);
    b.flush(uploaded('b.txt'));
  });

  it('shows a refusal in the server\'s words with no retry, and offers a retry after a network failure', () => {
    store.add('sam', 'group:staff', [file('big.bin'), file('notes.txt')]);
    const [big, notes] = http.match('/api/files');
    big.flush({ statusCode: 413, code: 'FILE_TOO_LARGE', message: 'Files may be at most 1 MB' }, { status: 413, statusText: 'Payload Too Large' });
    notes.error(new ProgressEvent('error'), { status: 0, statusText: 'Unknown Error' });
    const [refused, lost] = store.uploads('sam', 'group:staff');
    expect(refused).toMatchObject({ state: 'failed', error: 'Files may be at most 1 MB', retryable: false });
    expect(lost).toMatchObject({ state: 'failed', retryable: true });
    expect(lost.error).toContain('cannot be reached');

    store.retry(lost.key);
    expect(store.uploads('sam', 'group:staff')[1]).toMatchObject({ state: 'uploading', progress: 0, error: undefined });
    const again = http.expectOne('/api/files');
    expect((again.request.body as FormData).get('file')).toBeInstanceOf(File);
    again.flush(uploaded('notes.txt'));
    expect(store.uploads('sam', 'group:staff')[1].state).toBe('uploaded');
  });

  it(`keeps the first ${MAX_ATTACHMENTS} files of a message and says so`, () => {
    store.add('sam', 'group:staff', [file('1.txt'), file('2.txt')]);
    store.add('sam', 'group:staff', Array.from({ length: MAX_ATTACHMENTS }, (_, i) => file(`more-${i}.txt`)));
    const uploads = store.uploads('sam', 'group:staff');
    expect(uploads).toHaveLength(MAX_ATTACHMENTS);
    expect(uploads.at(-1)!.name).toBe(`more-${MAX_ATTACHMENTS - 3}.txt`);
    expect(store.notice('sam', 'group:staff')).toBe(`One message carries at most ${MAX_ATTACHMENTS} files: 2 were not added.`);
    for (const request of http.match('/api/files')) request.flush(uploaded(((request.request.body as FormData).get('file') as File).name));
  });

  it('hands the uploaded files to one message, keeps them as sending until released, and moves with a renamed channel', () => {
    store.add('sam', 'channel:ops', [file('a.txt'), file('b.txt')]);
    const [a, b] = http.match('/api/files');
    a.flush(uploaded('a.txt'));
    expect(store.take('sam', 'channel:ops')).toEqual([uploaded('a.txt')]);
    expect(store.uploads('sam', 'channel:ops').map((u) => u.state)).toEqual(['sending', 'uploading']);
    // A second Send meanwhile does not take them again.
    expect(store.take('sam', 'channel:ops')).toEqual([]);
    store.release('sam', 'channel:ops', ['id-a.txt']);
    expect(store.uploads('sam', 'channel:ops').map((u) => u.name)).toEqual(['b.txt']);

    store.move('sam', 'channel:ops', 'channel:operations');
    expect(store.uploads('sam', 'channel:ops')).toEqual([]);
    b.flush(uploaded('b.txt'));
    expect(store.uploads('sam', 'channel:operations')).toEqual([expect.objectContaining({ name: 'b.txt', state: 'uploaded' })]);
  });

  it('sends a file larger than one chunk resumably, with the same progress, answer and failures', () => {
    resumable.uploads.length = 0;
    const big = new File([new Uint8Array(RESUMABLE_FROM_BYTES + 1)], 'backup.tar');
    store.add('sam', 'group:staff', [big]);
    http.expectNone('/api/files');
    expect(resumable.uploads.map((u) => u.file)).toEqual([big]);
    const [first] = resumable.uploads;
    first.events.next({ kind: 'progress', sent: big.size / 4, total: big.size });
    expect(store.uploads('sam', 'group:staff')[0]).toMatchObject({ state: 'uploading', progress: 0.25 });
    first.events.error({ code: 'NETWORK', message: 'The connection dropped and did not come back; try again when you are online' });
    expect(store.uploads('sam', 'group:staff')[0]).toMatchObject({ state: 'failed', retryable: true, error: 'Not uploaded: The connection dropped and did not come back; try again when you are online.' });

    // Retry goes through tus again (which asks the server where to go on).
    store.retry('u1');
    const second = resumable.uploads[1];
    second.events.next({ kind: 'done', file: uploaded('backup.tar') });
    expect(store.uploads('sam', 'group:staff')[0]).toMatchObject({ state: 'uploaded', progress: 1, file: uploaded('backup.tar') });

    store.add('sam', 'group:staff', [new File([new Uint8Array(RESUMABLE_FROM_BYTES + 1)], 'huge.iso')]);
    resumable.uploads[2].events.error({ code: ErrorCodes.QuotaExceeded, message: 'the limit is 1 GB per person' });
    expect(store.uploads('sam', 'group:staff')[1]).toMatchObject({ state: 'failed', retryable: false, error: 'the limit is 1 GB per person' });
  });

  it('refuses at once, in the server\'s words, a file its limits say it would refuse, and uploads the rest', () => {
    store.limits.set({ max_bytes: 10, allowed_types: ['image/*', 'text/plain'] });
    store.add('sam', 'group:staff', [file('big.txt', 'more than ten bytes'), new File(['PK'], 'a.zip', { type: 'application/zip' }), file('ok.txt', 'fine')]);
    expect(store.uploads('sam', 'group:staff')).toEqual([
      expect.objectContaining({ name: 'big.txt', state: 'failed', retryable: false, error: 'Files may be at most 10 B' }),
      expect.objectContaining({ name: 'a.zip', state: 'failed', retryable: false, error: 'Files of type application/zip are not accepted here (allowed: image/*, text/plain)' }),
      expect.objectContaining({ name: 'ok.txt', state: 'uploading' }),
    ]);
    // Only the one it takes went up.
    expect((http.expectOne('/api/files').request.body as FormData).get('file')).toMatchObject({ name: 'ok.txt' });
  });
});

