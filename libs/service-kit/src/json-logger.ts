import type { LoggerService, LogLevel } from '@nestjs/common';
import { activeTraceIds } from './tracing';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Writes one JSON object per line: time, level, service, context, message, and any fields
 * (integrationId, fileId, syncRunId, messageId...), and `traceId`/`spanId` while a span is active
 * (tracing on). Never pass secrets, file contents or whole rows.
 */
export class JsonLogger implements LoggerService {
  private readonly threshold: number;

  constructor(
    private readonly service: string,
    level: LogLevel = 'log',
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {
    this.threshold = LEVELS.indexOf(level);
  }

  log(message: unknown, ...rest: unknown[]) { this.emit('log', message, rest); }
  error(message: unknown, ...rest: unknown[]) { this.emit('error', message, rest); }
  warn(message: unknown, ...rest: unknown[]) { this.emit('warn', message, rest); }
  debug(message: unknown, ...rest: unknown[]) { this.emit('debug', message, rest); }
  verbose(message: unknown, ...rest: unknown[]) { this.emit('verbose', message, rest); }
  fatal(message: unknown, ...rest: unknown[]) { this.emit('fatal', message, rest); }

  private emit(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (LEVELS.indexOf(level) > this.threshold) return;
    // Nest passes (message, context) or (message, stack, context); we also accept a fields object.
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level, service: this.service };
    const args = [...rest];
    const context = typeof args[args.length - 1] === 'string' ? args.pop() : undefined;
    if (context) entry.context = context;
    for (const arg of args) {
      if (arg instanceof Error) entry.error = { name: arg.name, message: arg.message, stack: arg.stack };
      else if (typeof arg === 'string') entry.stack = arg;
      else if (arg && typeof arg === 'object') Object.assign(entry, arg);
    }
    if (message instanceof Error) {
      entry.message = message.message;
      entry.error = { name: message.name, stack: message.stack };
    } else if (message && typeof message === 'object') Object.assign(entry, message);
    else entry.message = String(message);
    const ids = activeTraceIds();
    if (ids) {
      entry.traceId = ids.traceId;
      entry.spanId = ids.spanId;
    }
    this.write(`${JSON.stringify(entry)}\n`);
  }
}
