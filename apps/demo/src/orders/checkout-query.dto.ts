import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** `?holdMs=`: how long the demo checkout holds its lock (to make a conflict easy to see). */
export class CheckoutQuery {
  @IsOptional()
  @Type(() => Number)
  @Max(5000, { message: 'holdMs must be at most 5000' })
  @Min(0, { message: 'holdMs must be at least 0' })
  @IsInt({ message: 'holdMs must be an integer' })
  holdMs?: number;
}
