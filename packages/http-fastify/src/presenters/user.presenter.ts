import type { UserProfile } from '@banking/domain';
import type { Static } from 'typebox';
import type { UserOut } from '../schemas/auth.schema.js';

export function presentUser(user: UserProfile): Static<typeof UserOut> {
  return { id: user.id, email: user.email, full_name: user.fullName, created_at: user.createdAt };
}
