import { sendMessageSchema, verifyUserSchema } from './socket';

describe('socket payload text fields', () => {
  it.each([
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate', 'id-\udfff'],
    ['a reversed pair', '\udc00\ud800'],
    ['NUL', 'a\u0000b'],
  ])('refuses %s in any text field', (_label, bad) => {
    expect(sendMessageSchema.safeParse({ message: bad, recipients: 'staff' }).success).toBe(false);
    expect(sendMessageSchema.safeParse({ message: 'hi', recipients: bad }).success).toBe(false);
    expect(sendMessageSchema.safeParse({ message: 'hi', recipients: 'staff', client_id: bad }).success).toBe(false);
    expect(verifyUserSchema.safeParse({ user_type: 'staff', user_name: bad }).success).toBe(false);
  });

  it('accepts any well-formed Unicode: pairs, emoji sequences, RTL marks, combining marks', () => {
    for (const good of ['😀', '👩‍👩‍👧‍👦', '\u200f\u05e9\u05dc\u05d5\u05dd', 'e\u0301', '\uffff', '\udbff\udfff']) {
      expect(sendMessageSchema.parse({ message: good, recipients: 'staff', client_id: good })).toEqual({
        message: good,
        recipients: 'staff',
        client_id: good,
      });
    }
  });
});
