import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

interface DemoUser {
  id: string;
  email: string;
  roles: string[];
  salt: Buffer;
  hash: Buffer;
}

function account(id: string, email: string, password: string, roles: string[]): DemoUser {
  const salt = randomBytes(16);
  return { id, email, roles, salt, hash: scryptSync(password, salt, 32) };
}

/** Two demo accounts; passwords are hashed with scrypt at start-up and compared in constant time. */
const USERS = [
  account('u-alice', 'alice@example.com', 'wonderland', ['admin']),
  account('u-bob', 'bob@example.com', 'builder', ['customer']),
];

export function verifyDemoUser(email: unknown, password: unknown): { id: string; roles: string[] } | null {
  if (typeof email !== 'string' || typeof password !== 'string') return null;
  const user = USERS.find((u) => u.email === email.toLowerCase());
  if (!user) return null;
  const candidate = scryptSync(password, user.salt, 32);
  return timingSafeEqual(candidate, user.hash) ? { id: user.id, roles: user.roles } : null;
}
