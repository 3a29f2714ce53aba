import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';

export interface ConfirmDeleteData {
  username: string;
}

/** Asks before deleting an account: it cannot be undone. Closes with true to go ahead. */
@Component({
  selector: 'parley-confirm-delete-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatDialogModule, MatButtonModule],
  template: `
    <h2 mat-dialog-title>Delete {{ data.username }}?</h2>
    <mat-dialog-content>
      <p>{{ data.username }} is signed out everywhere and can no longer sign in. Their messages stay, shown as from a deleted user.</p>
      <p>This cannot be undone. The name can be given to a new account later.</p>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" [mat-dialog-close]="false" cdkFocusInitial>Cancel</button>
      <button mat-flat-button type="button" class="confirm-delete" [mat-dialog-close]="true">Delete {{ data.username }}</button>
    </mat-dialog-actions>
  `,
})
export class ConfirmDeleteDialogComponent {
  readonly data = inject<ConfirmDeleteData>(MAT_DIALOG_DATA);
}
