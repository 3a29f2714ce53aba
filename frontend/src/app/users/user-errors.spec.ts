import { HttpErrorResponse } from '@angular/common/http';
import { USERNAME_RULE } from '@parley/contract';
import { DIRECTORY_ACCOUNT, describeUserError } from './user-errors';

const refusal = (status: number, code: string, message: string) =>
  new HttpErrorResponse({ status, error: { statusCode: status, code, message } });

describe('describeUserError', () => {
  it("names the form's fields, never the API's \"Invalid payload: password: ...\"", () => {
    const text = describeUserError(
      refusal(400, 'INVALID_PAYLOAD', `Invalid payload: username: ${USERNAME_RULE}; password: must be at least 8 characters`),
    );
    expect(text).toBe(`User name: ${USERNAME_RULE}. Password: must be at least 8 characters.`);
    expect(text).not.toMatch(/Invalid payload|username:|password:/);
  });

  it('says a taken name and a weak password in plain words', () => {
    expect(describeUserError(refusal(409, 'USERNAME_TAKEN', 'The user name cleo is taken'))).toBe(
      'User name: that name is already taken; choose another.',
    );
    expect(describeUserError(refusal(400, 'WEAK_PASSWORD', 'This is a top-10 common password.'))).toBe(
      'Password: This is a top-10 common password.',
    );
  });

  it("keeps the server's own sentence for LAST_ADMIN and SELF_CHANGE", () => {
    const lastAdmin = 'admin is the last enabled admin; make another account an admin first';
    expect(describeUserError(refusal(409, 'LAST_ADMIN', lastAdmin))).toBe(lastAdmin);
  });

  it('falls back to a plain sentence for a payload problem it cannot attribute', () => {
    expect(describeUserError(refusal(400, 'INVALID_PAYLOAD', 'Invalid payload: nothing to change'))).toBe(
      'Some fields are not valid; check them and try again.',
    );
  });

  it("keeps the server's sentence for DIRECTORY_ACCOUNT, which says where to change it, and has one of its own", () => {
    const role = "sam's role comes from their groups in the company directory: change the groups there";
    expect(describeUserError(refusal(409, 'DIRECTORY_ACCOUNT', role))).toBe(role);
    expect(describeUserError(new HttpErrorResponse({ status: 409, error: { code: 'DIRECTORY_ACCOUNT' } }))).toBe(DIRECTORY_ACCOUNT);
  });
});
