import type { LoggerService } from '@nestjs/common';

export type ConnectionState = 'connecting' | 'ready' | 'down' | 'closed';

/**
 * Logs each change of a connection's state once. While Redis stays away a client retries and
 * errors many times a second; only the first error of an outage is logged, never the rest.
 */
export class ConnectionStateLogger {
  private state: ConnectionState = 'connecting';

  constructor(
    private readonly label: string,
    private readonly logger: LoggerService | undefined,
  ) {}

  /** The state now (the console shows it). */
  get current(): ConnectionState {
    return this.state;
  }

  ready(): void {
    this.move('ready', () => this.logger?.log?.(`${this.label}: connected`));
  }

  down(error?: unknown): void {
    const reason = error instanceof Error ? error.message : 'connection lost';
    this.move('down', () =>
      this.logger?.warn(`${this.label}: unavailable (${reason}); retrying in the background`),
    );
  }

  closed(): void {
    this.move('closed', () => undefined);
  }

  private move(next: ConnectionState, log: () => void): void {
    if (this.state === next || this.state === 'closed') return;
    this.state = next;
    log();
  }
}
