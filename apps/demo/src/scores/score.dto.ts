import { IsInt, Matches, Max, Min } from 'class-validator';

/** `:player` of a score route. */
export class PlayerParams {
  @Matches(/^[a-z0-9_-]{1,32}$/, { message: 'player names are 1-32 of a-z, 0-9, _ and -' })
  player!: string;
}

/** The body of `POST /scores/:player`: points won in one game. */
export class AddPointsBody {
  @IsInt({ message: 'points must be an integer' })
  @Min(1, { message: 'points must be at least 1' })
  @Max(1000, { message: 'points must be at most 1000' })
  points!: number;
}
