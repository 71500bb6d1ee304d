import { Matches, MaxLength } from 'class-validator';

/**
 * The `:id` route parameter of users, products and orders. Ids become parts of cache keys, scope
 * names and lock keys, so the demo accepts what a real app's ids look like and nothing else: a
 * hostile or oversized id is a 400 with a message, before it reaches any service.
 */
export class IdParams {
  @MaxLength(64, { message: 'id must be at most 64 characters' })
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'id must be made of A-Z, a-z, 0-9, _ and -' })
  id!: string;
}
