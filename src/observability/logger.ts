// The JSON logger, with credentials redacted wherever they could appear.
import { type DestinationStream, type Logger, pino } from 'pino';

export const REDACT_PATHS = [
  'authorization',
  'password',
  'token',
  'access_token',
  'cookie',
  '*.authorization',
  '*.password',
  '*.token',
  '*.access_token',
  '*.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
];

/**
 * Standard output written asynchronously: lines logged while a write is in flight go out together in the
 * next one, so under load the access log costs a write per batch instead of a synchronous write per request
 * (~10 % of a tools/call's CPU in a profile). `flushSync()` before exit loses nothing on a clean stop.
 */
export function stdoutDestination() {
  return pino.destination({ dest: 1, sync: false });
}

export function createLogger(
  options: { level: string; replica: string },
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level: options.level,
      base: { replica: options.replica },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

export type { Logger };
