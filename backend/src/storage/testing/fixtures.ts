import type { Role } from '../../contract/roles';
import type { UserRow } from '../database.types';

/** A user row as the repositories return it, for specs that need one without a database. */
export function userRow(id: number, role: Role = 'staff'): UserRow {
  return {
    id,
    username: `u${id}`,
    display_name: `U${id}`,
    role,
    password_hash: null,
    disabled: 0,
    created_at: 0,
    updated_at: 0,
    deleted_at: null,
  };
}
