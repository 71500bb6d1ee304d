import { plainToInstance } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

/** The demo's environment. Everything is optional: with nothing set it runs on the in-memory store. */
export class DemoEnvironment {
  /** redis:// or rediss:// URL; unset = in-memory store. */
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*$/, {
    message: 'LARDER_NAMESPACE may hold letters, digits, "_", "." and "-"',
  })
  LARDER_NAMESPACE?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  /** The Larder console's token (at least 16 characters); unset = a random one, printed at boot. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'LARDER_CONSOLE_TOKEN must be at least 16 characters' })
  LARDER_CONSOLE_TOKEN?: string;

  /** Simulated database latency in ms, so cache hits are visible. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  DEMO_DB_LATENCY_MS?: number;
}

/** @nestjs/config `validate` hook: fails start-up with every bad variable named. */
export function validateEnvironment(raw: Record<string, unknown>): DemoEnvironment {
  const env = plainToInstance(DemoEnvironment, raw, { enableImplicitConversion: true });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`);
    throw new Error(`Invalid environment:\n  ${lines.join('\n  ')}`);
  }
  return env;
}
