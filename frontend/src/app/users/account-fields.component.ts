import { ChangeDetectionStrategy, Component, input, model } from '@angular/core';
import { ControlContainer, FormsModule, NgForm } from '@angular/forms';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { type Role, ROLES, USERNAME_RULE } from '@parley/contract';

/**
 * What names a new account, in the forms that create one (a person, a bot): user name (the rule
 * as its hint), display name and role. The controls join the enclosing form (the ControlContainer
 * below), so `required`, the errors shown after a submit and `resetForm` work as if written inline.
 */
@Component({
  selector: 'parley-account-fields',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, MatFormFieldModule, MatInputModule, MatSelectModule],
  viewProviders: [{ provide: ControlContainer, useExisting: NgForm }],
  template: `
    <mat-form-field appearance="outline" subscriptSizing="dynamic">
      <mat-label>{{ usernameLabel() }}</mat-label>
      <input matInput name="username" required maxlength="32" autocomplete="off" [ngModel]="username()" (ngModelChange)="username.set($event)" />
      <mat-hint>{{ usernameHint }}</mat-hint>
      <mat-error>Required. {{ usernameHint }}</mat-error>
    </mat-form-field>
    <mat-form-field appearance="outline" subscriptSizing="dynamic">
      <mat-label>Display name</mat-label>
      <input matInput name="display_name" maxlength="64" [ngModel]="displayName()" (ngModelChange)="displayName.set($event)" />
      <mat-hint>Optional, up to 64 characters; shown instead of the user name.</mat-hint>
    </mat-form-field>
    <mat-form-field appearance="outline" subscriptSizing="dynamic">
      <mat-label>Role</mat-label>
      <mat-select name="role" [ngModel]="role()" (ngModelChange)="role.set($event)">
        @for (choice of roles; track choice) { <mat-option [value]="choice">{{ choice }}</mat-option> }
      </mat-select>
      @if (roleHint(); as hint) { <mat-hint>{{ hint }}</mat-hint> }
    </mat-form-field>
  `,
  styles: `
    :host { display: contents; }
    mat-form-field { width: min(18rem, 100%); }
    @media (max-width: 40rem) {
      mat-form-field { width: 100%; }
    }
  `,
})
export class AccountFieldsComponent {
  readonly usernameLabel = input('User name');
  readonly roleHint = input<string>();
  readonly username = model.required<string>();
  readonly displayName = model.required<string>();
  readonly role = model.required<Role>();
  readonly roles = ROLES;
  readonly usernameHint = `Lower case; ${USERNAME_RULE}.`;
}
