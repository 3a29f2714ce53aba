import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { type AdminUser, type Role, ROLES, type UpdateUserRequest } from '@parley/contract';
import { NAME_SOURCE_HINTS, ROLE_SOURCE_HINTS } from './account-source';

/**
 * Display name and role of an account. Closes with only what changed, or nothing. A directory
 * (ldap) or single sign-on (oidc) account's name and role come from their source:
 * shown, not editable (the server refuses them, and the next sync or sign-in would undo them).
 */
@Component({
  selector: 'parley-edit-user-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule],
  template: `
    <h2 mat-dialog-title>Edit {{ user.username }}</h2>
    <form (ngSubmit)="submit()" [attr.aria-label]="'Edit ' + user.username">
      <mat-dialog-content>
        <mat-form-field appearance="outline" class="field" subscriptSizing="dynamic">
          <mat-label>Display name</mat-label>
          <input matInput name="display_name" required maxlength="64" cdkFocusInitial [(ngModel)]="displayName" [readonly]="!nameEditable" />
          <mat-hint>{{ nameHint ?? '1-64 characters, shown to others instead of the user name.' }}</mat-hint>
        </mat-form-field>
        <mat-form-field appearance="outline" class="field" subscriptSizing="dynamic">
          <mat-label>Role</mat-label>
          <mat-select name="role" [(ngModel)]="role" [disabled]="roleHint !== null">
            @for (option of roles; track option) { <mat-option [value]="option">{{ option }}</mat-option> }
          </mat-select>
          <mat-hint>{{ roleHint ?? 'A new role signs ' + user.username + ' out everywhere.' }}</mat-hint>
        </mat-form-field>
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        @if (nameEditable) {
          <button mat-button type="button" mat-dialog-close>Cancel</button>
          <button mat-flat-button type="submit" [disabled]="!displayName.trim()">Save {{ user.username }}</button>
        } @else {
          <!-- Nothing here can change: no Save that would do nothing. -->
          <button mat-flat-button type="button" mat-dialog-close>Close</button>
        }
      </mat-dialog-actions>
    </form>
  `,
  styles: `.field { display: block; width: 100%; margin-bottom: 0.75rem; }`,
})
export class EditUserDialogComponent {
  readonly user = inject<AdminUser>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<EditUserDialogComponent, UpdateUserRequest>>(MatDialogRef);
  readonly roles = ROLES;
  readonly nameEditable = this.user.source === 'local';
  /** Where a non-local account's name comes from (each sign-in and the directory sync take it again). */
  readonly nameHint = this.user.source === 'local' ? null : NAME_SOURCE_HINTS[this.user.source];
  /** Why the role cannot be changed here, or null when it can. */
  readonly roleHint = this.user.source === 'local' ? null : ROLE_SOURCE_HINTS[this.user.source];
  displayName = this.user.display_name;
  role: Role = this.user.role;

  submit(): void {
    const change: UpdateUserRequest = {};
    if (this.displayName.trim() !== this.user.display_name) change.display_name = this.displayName.trim();
    if (this.role !== this.user.role && this.roleHint === null) change.role = this.role;
    this.ref.close(change);
  }
}
