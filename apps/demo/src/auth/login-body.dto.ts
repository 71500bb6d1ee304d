import { IsString, MaxLength } from 'class-validator';

/** The body of `POST /auth/login`. Bounded, so an oversized password never reaches scrypt. */
export class LoginBody {
  @IsString({ message: 'email must be a string' })
  @MaxLength(254, { message: 'email must be at most 254 characters' })
  email!: string;

  @IsString({ message: 'password must be a string' })
  @MaxLength(128, { message: 'password must be at most 128 characters' })
  password!: string;
}
