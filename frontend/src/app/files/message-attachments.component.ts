import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { type Attachment, fileUrl, formatFileSize, thumbnailUrl } from '@parley/contract';
import { FileLightboxComponent } from './file-lightbox.dialog';
import { fileIcon, isInlineImage, thumbnailSize } from './files.model';

/**
 * A message's files: pictures as thumbnails that open the full image, every other file as a
 * card with its type, name, size and a download link. Nothing here runs what was uploaded: the
 * server sends only pictures inline, and everything else as a download.
 */
@Component({
  selector: 'parley-message-attachments',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (images().length > 0) {
      <div class="images">
        @for (image of images(); track image.file.id) {
          <button type="button" class="thumb" data-testid="attachment-image" (click)="open(image.file)"
            [attr.aria-label]="'Open ' + image.file.name + ', ' + size(image.file.size)">
            <img [src]="image.src" [alt]="image.file.name" loading="lazy" [attr.width]="image.box?.width ?? null" [attr.height]="image.box?.height ?? null" />
          </button>
        }
      </div>
    }
    @for (file of others(); track file.id) {
      <div class="file" data-testid="attachment-file">
        <span class="material-symbols-outlined icon" aria-hidden="true">{{ icon(file.content_type) }}</span>
        <div class="body">
          <span class="name" [title]="file.name">{{ file.name }}</span>
          <span class="size">{{ size(file.size) }}</span>
        </div>
        <a class="download" [href]="url(file.id)" download [attr.aria-label]="'Download ' + file.name" [title]="'Download ' + file.name">
          <span class="material-symbols-outlined" aria-hidden="true">download</span>
        </a>
      </div>
    }
  `,
  styles: `
    :host { display: flex; flex-direction: column; gap: 0.35rem; margin-top: 0.3rem; min-width: 0; }
    /* One under another: side by side, their summed width would stretch the bubble to its widest. */
    .images { display: flex; flex-direction: column; align-items: flex-start; gap: 0.35rem; }
    .thumb { display: block; padding: 0; border: 0; border-radius: 8px; overflow: hidden; cursor: zoom-in; max-width: 100%;
      background: var(--mat-sys-surface-container-highest); }
    .thumb:focus-visible { outline: 3px solid var(--mat-sys-primary); outline-offset: 2px; }
    /* The attributes give the proportions; on a narrow screen the picture shrinks with the bubble. */
    .thumb img { display: block; max-width: 100%; height: auto; }
    .file { display: flex; align-items: center; gap: 0.5rem; min-width: 0; max-width: 22rem; padding: 0.35rem 0.35rem 0.35rem 0.6rem; border-radius: 10px;
      border: 1px solid var(--mat-sys-outline-variant); background: var(--mat-sys-surface); color: var(--mat-sys-on-surface); }
    .icon { color: var(--mat-sys-primary); flex: none; }
    .body { display: flex; flex-direction: column; flex: 1; min-width: 0; }
    .name { font-size: 0.875rem; overflow-wrap: anywhere; }
    .size { font-size: 0.75rem; color: var(--mat-sys-on-surface-variant); }
    .download { display: inline-flex; align-items: center; justify-content: center; flex: none; width: 40px; height: 40px; border-radius: 50%;
      color: var(--mat-sys-primary); }
    .download:hover { background: var(--mat-sys-surface-container-high); }
    .download:focus-visible { outline: 2px solid var(--mat-sys-primary); }
  `,
})
export class MessageAttachmentsComponent {
  private readonly dialog = inject(MatDialog);
  readonly attachments = input.required<readonly Attachment[]>();
  readonly images = computed(() =>
    this.attachments()
      .filter(isInlineImage)
      .map((file) => ({ file, src: file.thumbnail_url ?? thumbnailUrl(file.id), box: thumbnailSize(file) })),
  );
  readonly others = computed(() => this.attachments().filter((file) => !isInlineImage(file)));
  readonly size = formatFileSize;
  readonly url = fileUrl;
  readonly icon = fileIcon;

  open(file: Attachment): void {
    this.dialog.open(FileLightboxComponent, { data: file, maxWidth: '95vw', maxHeight: '95vh' });
  }
}
