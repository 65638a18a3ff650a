// The /mcp body: express.json (body-parser) with the service's limit, and its errors as JSON-RPC answers.
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { Metrics } from '../observability/metrics.js';
import { jsonRpcError } from './respond.js';

/** JSON and `application/*+json`; other media types are left unread, so the SDK answers them with 415. */
const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * A body over the limit by its declared length is refused before a byte is read. body-parser would refuse it
 * too, but only after reading the whole body off the socket; Node drains what is left after the answer, so
 * the keep-alive connection stays usable either way.
 */
function declaredLengthGuard(limit: number, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const encoded = (req.headers['content-encoding'] ?? 'identity').toLowerCase() !== 'identity';
    if (!encoded && declared > limit) {
      metrics.rejected.inc({ reason: 'body_too_large' });
      jsonRpcError(res, 413, -32600, tooLargeMessage(limit));
      return;
    }
    next();
  };
}

function tooLargeMessage(limit: number): string {
  return `Request body too large (limit ${limit} bytes).`;
}

export interface BodyLimits {
  /** Largest body, decoded. */
  maxBytes: number;
  /** Time a client has to send the whole body once its headers arrived. */
  timeoutMs: number;
  /** Bytes all bodies being read may hold at once (their declared length, or maxBytes when not declared). */
  budgetBytes: number;
}

/**
 * While a body arrives the request holds no execution slot, only a share of a byte budget, and it has a
 * deadline: a client that sends a byte every few seconds cannot keep other callers out (408 after
 * `timeoutMs`), and bodies in flight cannot hold more memory than the budget (503 beyond it).
 */
function bodyAdmission(limits: BodyLimits, metrics: Metrics): RequestHandler {
  let held = 0;
  return (req, res, next) => {
    if (req.complete) return next(); // no body left to wait for
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    const encoded = (req.headers['content-encoding'] ?? 'identity').toLowerCase() !== 'identity';
    const share =
      Number.isFinite(declared) && !encoded ? Math.min(declared, limits.maxBytes) : limits.maxBytes;
    if (held + share > limits.budgetBytes) {
      metrics.rejected.inc({ reason: 'body_budget' });
      jsonRpcError(res, 503, -32000, 'Server busy: too many request bodies being received; retry shortly.', {
        'retry-after': '1',
        connection: 'close',
      });
      return;
    }
    held += share;
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      held -= share;
      clearTimeout(timer);
    };
    const timer = setTimeout(() => {
      if (req.complete || res.headersSent) return;
      metrics.rejected.inc({ reason: 'body_timeout' });
      jsonRpcError(
        res,
        408,
        -32600,
        `Request timeout: the body was not received within ${limits.timeoutMs} ms.`,
        { connection: 'close' },
      );
      // The rest of the body is not waited for: the connection ends with this answer.
      res.once('finish', () => req.destroy());
    }, limits.timeoutMs);
    req.once('end', release);
    res.once('close', release);
    next();
  };
}

/**
 * Parses JSON bodies (identity, gzip, deflate, br; UTF-8 and the other Unicode charsets JSON allows) up to
 * `limit` bytes once decoded, so a compression bomb is refused too. Any JSON value parses (`strict: false`):
 * the MCP layer judges a message's shape.
 */
export function jsonBody(limits: BodyLimits, metrics: Metrics): RequestHandler[] {
  const limit = limits.maxBytes;
  return [
    declaredLengthGuard(limit, metrics),
    bodyAdmission(limits, metrics),
    express.json({ limit, strict: false, type: JSON_TYPES, inflate: true }),
  ];
}

interface BodyParserError {
  type?: string;
  status?: number;
}

/** body-parser's refusals as JSON-RPC errors; anything else goes on to the last-resort handler. */
export function bodyErrors(limit: number, metrics: Metrics): ErrorRequestHandler {
  return (error: BodyParserError, _req, res, next) => {
    switch (error?.type) {
      case 'entity.too.large':
        metrics.rejected.inc({ reason: 'body_too_large' });
        jsonRpcError(res, 413, -32600, tooLargeMessage(limit));
        return;
      case 'entity.parse.failed':
        jsonRpcError(res, 400, -32700, 'Parse error: the request body is not valid JSON.');
        return;
      case 'charset.unsupported':
        jsonRpcError(res, 415, -32600, 'Unsupported charset: send the body as UTF-8.');
        return;
      case 'encoding.unsupported':
        jsonRpcError(
          res,
          415,
          -32600,
          'Unsupported Content-Encoding: send the body as identity, gzip, deflate or br.',
        );
        return;
    }
    // A broken compressed stream, a body shorter than its Content-Length, an aborted upload.
    if (error?.status !== undefined && error.status >= 400 && error.status < 500) {
      jsonRpcError(res, 400, -32700, 'Parse error: the request body could not be read.');
      return;
    }
    next(error);
  };
}
