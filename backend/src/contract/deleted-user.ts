/**
 * A deleted account keeps its row (its messages keep their sender and recipient), renamed to
 * `deleted#<id>`: outside the user-name pattern ('#'), so no one can sign up, be created or be
 * addressed under it, and unique because it carries the id. People see it as "Deleted user".
 */
const TOMBSTONE = /^deleted#\d+$/;

export function tombstoneName(id: number): string {
  return `deleted#${id}`;
}

/** The name to show a person: a deleted account's tombstone reads "Deleted user". */
export function shownName(username: string): string {
  return TOMBSTONE.test(username) ? 'Deleted user' : username;
}
