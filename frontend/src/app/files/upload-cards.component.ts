import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { formatFileSize } from '@parley/contract';
import { fileIcon } from './files.model';
import type { Upload } from './upload.store';

/**
 * The files going with the message being written, one card each: uploading (with the share sent
 * and Cancel), ready (Remove), sending, or refused (the server's reason, Remove, and Retry when
 * the network failed).
 */
@Component({
  selector: 'parley-upload-cards',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatProgressBarModule],
  template: `
    <ul class="cards" aria-label="Files to send">
      @for (upload of uploads(); track upload.key) {
        <li class="card" data-testid="upload-card" [class.failed]="upload.state === 'failed'" [attr.data-state]="upload.state">
          <span class="material-symbols-outlined icon" aria-hidden="true">{{ icon(upload) }}</span>
          <div class="body">
            <span class="name" [title]="upload.name">{{ upload.name }}</span>
            <span class="size">{{ size(upload.size) }}@switch (upload.state) {
                @case ('uploading') { · {{ upload.progress < 1 ? 'Uploading ' + percent(upload) + '%' : 'Checking…' }} }
                @case ('sending') { · Sending… }
              }</span>
            @if (upload.state === 'uploading') {
              <!-- Every byte sent: the server is still storing it (and making an image's thumbnail). -->
              <mat-progress-bar [mode]="upload.progress < 1 ? 'determinate' : 'indeterminate'" [value]="percent(upload)"
                [attr.aria-label]="'Uploading ' + upload.name" />
            }
            @if (upload.state === 'failed') {
              <span class="error" role="alert">{{ upload.error }}</span>
            }
          </div>
          <div class="buttons">
            @if (upload.state === 'failed' && upload.retryable) {
              <button mat-button type="button" (click)="retry.emit(upload.key)" [attr.aria-label]="'Retry upload of ' + upload.name">Retry</button>
            }
            @if (upload.state === 'uploading') {
              <button mat-icon-button type="button" (click)="remove.emit(upload.key)" [attr.aria-label]="'Cancel upload of ' + upload.name">
                <span class="material-symbols-outlined" aria-hidden="true">close</span>
              </button>
            } @else if (upload.state !== 'sending') {
              <button mat-icon-button type="button" (click)="remove.emit(upload.key)" [attr.aria-label]="'Remove ' + upload.name">
                <span class="material-symbols-outlined" aria-hidden="true">delete</span>
              </button>
            }
          </div>
        </li>
      }
    </ul>
  `,
  styles: `
    :host { display: block; }
    .cards { display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 0; padding: 0; list-style: none; }
    .card { display: flex; align-items: center; gap: 0.5rem; flex: 1 1 15rem; max-width: 22rem; min-width: 0; padding: 0.35rem 0.25rem 0.35rem 0.6rem;
      border-radius: 12px; border: 1px solid var(--mat-sys-outline-variant); background: var(--mat-sys-surface-container-low); color: var(--mat-sys-on-surface); }
    .card.failed { border-color: var(--mat-sys-error); }
    .icon { color: var(--mat-sys-primary); flex: none; }
    .failed .icon { color: var(--mat-sys-error); }
    .body { display: flex; flex-direction: column; gap: 0.15rem; flex: 1; min-width: 0; }
    .name { font-size: 0.875rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .size { font-size: 0.75rem; color: var(--mat-sys-on-surface-variant); }
    .error { font-size: 0.75rem; color: var(--mat-sys-error); overflow-wrap: anywhere; }
    .buttons { display: flex; align-items: center; flex: none; }
  `,
})
export class UploadCardsComponent {
  readonly uploads = input.required<readonly Upload[]>();
  /** Cancel (while uploading) or Remove: the upload's key. */
  readonly remove = output<string>();
  readonly retry = output<string>();
  readonly size = formatFileSize;

  icon(upload: Upload): string {
    if (upload.state === 'failed') return 'error';
    return fileIcon(upload.file?.content_type ?? upload.type);
  }

  percent(upload: Upload): number {
    return Math.round(upload.progress * 100);
  }
}
