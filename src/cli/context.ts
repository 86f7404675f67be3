// Shared by the CLI commands: boots the app from the environment, prints results as text or
// JSON (`--json`), and closes the database when the command is done.
import pino from 'pino';
import { loadConfig, type Config } from '../lib/config.ts';
import { bootApp } from '../app/boot.ts';
import type { AppContext } from '../app/context.ts';

export interface OutputOptions {
  json?: boolean;
}

/** Runs `work` with a booted app; logs go to stderr so stdout stays clean for `--json`. */
export async function withApp<T>(work: (context: AppContext, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }, pino.destination(2));
  const context = await bootApp({ config, logger });
  try {
    return await work(context, config);
  } finally {
    await context.store.close();
  }
}

/** Prints `value` as JSON with `--json`, otherwise the human text. */
export function print(options: OutputOptions, value: unknown, text: string): void {
  process.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

/** A command's failure: the message on stderr (or as JSON) and exit code 1. */
export function printFailure(options: OutputOptions, code: string, message: string): void {
  if (options.json) process.stdout.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
  else process.stderr.write(`error: ${message}\n`);
  process.exitCode = 1;
}
