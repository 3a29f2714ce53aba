import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import { type Attachment, fileUrl, formatFileSize } from '@parley/contract';

/**
 * A picture from a message at full size, with its name, size and a download. Escape, Close or a
 * click outside close it, and focus goes back to the thumbnail that opened it (MatDialog's own).
 */
@Component({
  selector: 'parley-file-lightbox',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatDialogModule, MatButtonModule],
  template: `
    <h2 mat-dialog-title class="title">{{ file.name }}</h2>
    <mat-dialog-content class="content">
      <img [src]="url" [alt]="file.name" [attr.width]="file.width ?? null" [attr.height]="file.height ?? null" data-testid="lightbox-image" />
    </mat-dialog-content>
    <mat-dialog-actions class="actions">
      <span class="size">{{ size }}</span>
      <a mat-button [href]="url" download [attr.aria-label]="'Download ' + file.name">
        <span class="material-symbols-outlined" aria-hidden="true">download</span> Download
      </a>
      <button mat-flat-button type="button" mat-dialog-close cdkFocusInitial>Close</button>
    </mat-dialog-actions>
  `,
  styles: `
    .title { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .content { display: flex; justify-content: center; }
    /* The whole picture in view whatever its size: the window, less the title and the buttons. */
    img { display: block; max-width: 100%; max-height: calc(85vh - 10rem); width: auto; height: auto; object-fit: contain; }
    .actions { justify-content: flex-end; gap: 0.25rem; flex-wrap: wrap; }
    .size { margin-right: auto; padding-left: 0.5rem; font-size: 0.875rem; color: var(--mat-sys-on-surface-variant); }
    .actions .material-symbols-outlined { vertical-align: middle; font-size: 20px; }
  `,
})
export class FileLightboxComponent {
  readonly file = inject<Attachment>(MAT_DIALOG_DATA);
  readonly url = fileUrl(this.file.id);
  readonly size = formatFileSize(this.file.size);
}
