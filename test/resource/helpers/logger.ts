// A pino-like logger that remembers what it was told.
import type { ResourceLogger } from '../../../src/resource/index.js';

export interface LogEntry {
  level: 'warn' | 'info' | 'debug';
  fields: Record<string, unknown>;
  message: string | undefined;
}

export class CapturingLogger implements ResourceLogger {
  readonly entries: LogEntry[] = [];

  warn(fields: Record<string, unknown>, message?: string): void {
    this.entries.push({ level: 'warn', fields, message });
  }

  info(fields: Record<string, unknown>, message?: string): void {
    this.entries.push({ level: 'info', fields, message });
  }

  debug(fields: Record<string, unknown>, message?: string): void {
    this.entries.push({ level: 'debug', fields, message });
  }

  /** Everything logged, as one string, to look for things that must never be there. */
  text(): string {
    return JSON.stringify(this.entries);
  }

  last(): LogEntry | undefined {
    return this.entries.at(-1);
  }
}
