import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialog, MatDialogModule } from '@angular/material/dialog';
import { firstValueFrom } from 'rxjs';

export interface ConfirmData {
  /** A question naming the person: "Sign out cleo everywhere?" */
  title: string;
  /** What will happen to them, in plain words. */
  consequences: string[];
  /** The confirm button says the action ("Sign out cleo"), never just "OK". */
  confirm: string;
}

/**
 * Asks before an admin action that ends someone's session. Cancel, Escape and a click outside
 * all close it with nothing done; the safe button has the focus when it opens.
 */
@Component({
  selector: 'parley-confirm-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatDialogModule, MatButtonModule],
  template: `
    <h2 mat-dialog-title>{{ data.title }}</h2>
    <mat-dialog-content>
      @for (line of data.consequences; track $index) { <p>{{ line }}</p> }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" [mat-dialog-close]="false" cdkFocusInitial>Cancel</button>
      <button mat-flat-button type="button" class="confirm" [mat-dialog-close]="true">{{ data.confirm }}</button>
    </mat-dialog-actions>
  `,
})
export class ConfirmDialogComponent {
  readonly data = inject<ConfirmData>(MAT_DIALOG_DATA);
}

/** Opens the dialog; true only when the admin pressed the confirm button. */
export async function confirmAction(dialog: MatDialog, data: ConfirmData): Promise<boolean> {
  const ref = dialog.open<ConfirmDialogComponent, ConfirmData, boolean>(ConfirmDialogComponent, { data, maxWidth: '28rem' });
  return (await firstValueFrom(ref.afterClosed())) === true;
}
