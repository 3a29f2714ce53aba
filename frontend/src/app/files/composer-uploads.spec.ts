import { HttpEventType, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { MAX_ATTACHMENTS } from '@parley/contract';
import { ComposerComponent, type ComposedMessage } from '../chat/composer.component';
import { STORAGE } from '../core/tokens';
import { uploaded } from '../../testing/uploaded-file';

/** The composer with its file cards over a fake server: what a person sees while files upload, and what Send gives. */
describe('ComposerComponent with files', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    const storage = new Map<string, string>();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: STORAGE, useValue: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });
  afterEach(() => http.verify());

  async function render(conversation = 'user:sue') {
    const fixture = TestBed.createComponent(ComposerComponent);
    fixture.componentRef.setInput('user', 'sam');
    fixture.componentRef.setInput('conversation', conversation);
    const sent: ComposedMessage[] = [];
    fixture.componentInstance.sent.subscribe((message) => sent.push(message));
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    const stable = () => fixture.whenStable();
    const pick = async (...files: File[]) => {
      const picker = element.querySelector<HTMLInputElement>('[data-testid="file-picker"]')!;
      Object.defineProperty(picker, 'files', { value: files, configurable: true });
      picker.dispatchEvent(new Event('change'));
      await stable();
    };
    const cards = () => Array.from(element.querySelectorAll<HTMLElement>('[data-testid="upload-card"]'));
    const button = (label: string) => element.querySelector<HTMLButtonElement>(`button[aria-label="${label}"]`);
    const sendButton = () => Array.from(element.querySelectorAll('button')).find((b) => b.textContent!.trim() === 'Send')!;
    return { fixture, element, sent, stable, pick, cards, button, sendButton };
  }
  const file = (name: string, type = 'text/plain') => new File(['hello'], name, { type });

  it('uploads a picked file at once, shows its progress, and sends its id once uploaded', async () => {
    const { element, sent, stable, pick, cards, sendButton } = await render();
    expect(element.querySelector('button[aria-label="Attach files"]')).not.toBeNull();
    await pick(file('notes.txt'));
    const request = http.expectOne('/api/files');
    request.event({ type: HttpEventType.UploadProgress, loaded: 3, total: 5 });
    await stable();
    expect(cards()[0].textContent).toContain('notes.txt');
    expect(cards()[0].textContent).toContain('5 B');
    expect(cards()[0].querySelector('mat-progress-bar')!.getAttribute('aria-valuenow')).toBe('60');
    expect(element.querySelector('#composer-waiting')!.textContent).toContain('Waiting for uploads…');
    expect(sendButton().disabled).toBe(true);

    request.flush(uploaded('notes.txt'));
    await stable();
    expect(cards()[0].querySelector('mat-progress-bar')).toBeNull();
    expect(element.querySelector('#composer-waiting')!.textContent).not.toContain('Waiting');
    expect(sendButton().disabled).toBe(false);
    sendButton().click();
    await stable();
    expect(sent).toEqual([{ text: '', files: [uploaded('notes.txt')] }]);
    // Until the message is answered the card stays, as sending, with nothing to press.
    expect(cards()[0].dataset['state']).toBe('sending');
    expect(cards()[0].querySelector('button')).toBeNull();
  });

  it('cancels an upload by aborting its request', async () => {
    const { pick, cards, button, stable } = await render();
    await pick(file('big.iso'));
    const request = http.expectOne('/api/files');
    button('Cancel upload of big.iso')!.click();
    await stable();
    expect(request.cancelled).toBe(true);
    expect(cards()).toEqual([]);
  });

  it('shows a refusal in the server\'s words with Remove, and a network failure with Retry', async () => {
    const { pick, cards, button, stable } = await render();
    await pick(file('big.bin'), file('notes.txt'));
    const [big, notes] = http.match('/api/files');
    big.flush({ statusCode: 413, code: 'FILE_TOO_LARGE', message: 'Files may be at most 1 MB' }, { status: 413, statusText: 'Payload Too Large' });
    notes.error(new ProgressEvent('error'), { status: 0, statusText: 'Unknown Error' });
    await stable();
    expect(cards()[0].querySelector('[role="alert"]')!.textContent).toBe('Files may be at most 1 MB');
    expect(button('Retry upload of big.bin')).toBeNull();
    expect(cards()[1].querySelector('[role="alert"]')!.textContent).toContain('cannot be reached');
    button('Retry upload of notes.txt')!.click();
    http.expectOne('/api/files').flush(uploaded('notes.txt'));
    button('Remove big.bin')!.click();
    await stable();
    expect(cards().map((card) => card.dataset['state'])).toEqual(['uploaded']);
  });

  it('attaches a pasted picture, but leaves a paste with text to the text box', async () => {
    const { element, cards, stable } = await render();
    const box = element.querySelector('textarea')!;
    const paste = (files: File[], types: string[]) => {
      const event = new Event('paste', { cancelable: true });
      Object.defineProperty(event, 'clipboardData', { value: { files, types } });
      box.dispatchEvent(event);
      return event;
    };
    expect(paste([file('cells.png', 'image/png')], ['text/plain', 'text/html', 'Files']).defaultPrevented).toBe(false);
    expect(paste([file('image.png', 'image/png')], ['Files']).defaultPrevented).toBe(true);
    await stable();
    expect(cards().map((card) => card.textContent)).toEqual([expect.stringContaining('image.png')]);
    http.expectOne('/api/files').flush(uploaded('image.png', { content_type: 'image/png' }));
  });

  it(`keeps the first ${MAX_ATTACHMENTS} files and says so`, async () => {
    const { element, pick, cards } = await render();
    await pick(...Array.from({ length: MAX_ATTACHMENTS + 1 }, (_, i) => file(`${i}.txt`)));
    expect(cards()).toHaveLength(MAX_ATTACHMENTS);
    expect(element.querySelector('#composer-waiting')!.textContent).toContain(`at most ${MAX_ATTACHMENTS} files: 1 was not added`);
    for (const request of http.match('/api/files')) request.flush(uploaded(((request.request.body as FormData).get('file') as File).name));
  });

  it('keeps each conversation\'s files with its draft: switching away and back finds them, still uploading', async () => {
    const { fixture, pick, cards, stable } = await render('user:sue');
    await pick(file('plan.txt'));
    fixture.componentRef.setInput('conversation', 'group:staff');
    await stable();
    expect(cards()).toEqual([]);
    const request = http.expectOne('/api/files');
    request.flush(uploaded('plan.txt'));
    fixture.componentRef.setInput('conversation', 'user:sue');
    await stable();
    expect(cards().map((card) => [card.textContent!.includes('plan.txt'), card.dataset['state']])).toEqual([[true, 'uploaded']]);
  });
});
