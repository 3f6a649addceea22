import type { UserProfile } from '@banking/domain';

export function presentUser(user: UserProfile) {
  return { id: user.id, email: user.email, full_name: user.fullName, created_at: user.createdAt };
}
