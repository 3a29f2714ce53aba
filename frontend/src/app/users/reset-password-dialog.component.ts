import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { AdminUser } from '@parley/contract';
import { PasswordFeedbackComponent } from './password-feedback.component';
import { PasswordStrength } from './password-strength.service';

/**
 * A new password for someone, typed twice and hidden, with the rule shown before anything is
 * sent. Closes with the password when the admin sets it, with nothing on Cancel or Escape.
 */
@Component({
  selector: 'parley-reset-password-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule, PasswordFeedbackComponent],
  template: `
    <h2 mat-dialog-title>Reset the password of {{ user.username }}?</h2>
    <form (ngSubmit)="submit()" [attr.aria-label]="'New password for ' + user.username">
      <mat-dialog-content>
        <p>{{ user.username }} is signed out everywhere and must sign in with the new password. Tell them the password yourself.</p>
        <mat-form-field appearance="outline" class="field">
          <mat-label>New password</mat-label>
          <input matInput name="password" type="password" autocomplete="new-password" required cdkFocusInitial
                 [ngModel]="password()" (ngModelChange)="password.set($event)" />
        </mat-form-field>
        <mat-form-field appearance="outline" class="field">
          <mat-label>New password again</mat-label>
          <input matInput name="confirmation" type="password" autocomplete="new-password" required
                 [ngModel]="confirmation()" (ngModelChange)="confirmation.set($event)"
                 [attr.aria-describedby]="mismatch() ? 'mismatch' : null" />
        </mat-form-field>
        @if (mismatch()) { <p id="mismatch" class="mismatch" role="alert">The two passwords differ.</p> }
        <parley-password-feedback [password]="password()" [userInputs]="[user.username, user.display_name]" />
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" [disabled]="!ready()">Reset password of {{ user.username }}</button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .field { display: block; width: 100%; }
    .mismatch { color: var(--mat-sys-error); margin: 0 0 0.5rem; }
  `,
})
export class ResetPasswordDialogComponent {
  readonly user = inject<AdminUser>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<ResetPasswordDialogComponent, string>>(MatDialogRef);
  private readonly strength = inject(PasswordStrength);
  readonly password = signal('');
  readonly confirmation = signal('');
  /** Said only once the second field is as long as the first: not while it is being typed. */
  readonly mismatch = computed(() => this.confirmation().length >= this.password().length && this.confirmation() !== '' && this.confirmation() !== this.password());
  readonly ready = computed(
    () =>
      this.password() !== '' &&
      this.password() === this.confirmation() &&
      // Known to fail the rule: held back (the server checks too; while the rule loads, nothing is).
      this.strength.verdict(this.password(), [this.user.username, this.user.display_name])?.ok !== false,
  );

  submit(): void {
    if (this.ready()) this.ref.close(this.password());
  }
}
