import { spawn, type ChildProcess } from 'node:child_process';

/** A command's outcome; `output` interleaves stdout and stderr, for the failure message. */
export interface CommandResult {
  code: number | null;
  output: string;
}

/** Runs a command to completion; rejects, with its output, when it exits non-zero. */
export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  return new Promise<CommandResult>((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve({ code, output });
      else
        reject(new Error(`${command} ${args.join(' ')} (in ${options.cwd}) exited with ${code}:\n${output}`));
    });
  });
}

/** A long-running app started by the consumer check. */
export class AppProcess {
  private output = '';
  private exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts `node <entry>` and waits until `ready()` resolves true (polled), or fails with the app's output. */
  static async start(
    name: string,
    entry: string,
    options: { cwd: string; env: NodeJS.ProcessEnv; ready: () => Promise<boolean>; timeoutMs?: number },
  ): Promise<AppProcess> {
    const app = new AppProcess(
      name,
      spawn(process.execPath, [entry], { cwd: options.cwd, env: options.env }),
    );
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    let exitCode: number | null | undefined;
    void app.exited.then((code) => (exitCode = code));
    while (Date.now() < deadline) {
      if (exitCode !== undefined)
        throw new Error(`${name} exited with ${exitCode} before it was ready:\n${app.output}`);
      if (await options.ready().catch(() => false)) return app;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await app.stop();
    throw new Error(`${name} was not ready within ${options.timeoutMs ?? 30_000} ms:\n${app.output}`);
  }

  /** What the app printed so far. */
  get log(): string {
    return this.output;
  }

  /** SIGTERM (the app closes its modules through its shutdown hooks), SIGKILL if it lingers. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}
