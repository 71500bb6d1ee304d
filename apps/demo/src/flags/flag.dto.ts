import { IsBoolean, Matches } from 'class-validator';

/** `:name` of a feature flag. */
export class FlagParams {
  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'flag names are 1-64 of a-z, 0-9 and -' })
  name!: string;
}

/** The body of `PUT /flags/:name`. */
export class SetFlagBody {
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled!: boolean;
}
