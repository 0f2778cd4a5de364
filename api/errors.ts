import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RegisterUnavailableError } from '../register/sql';

// The API's one error shape, `{ "error": { "code", "message", "details"? } }`, and the one place that turns
// anything thrown while answering a request into it. A client never sees a stack trace, and nothing a client
// sends can produce a 500: a 500 means a bug here, and says only that.

export interface FieldProblem {
  /** Where: `body`, `querystring`, `params` or `headers`. */
  in?: string;
  /** Dotted path inside it, e.g. `complainant.email`; empty for the whole part. */
  path: string;
  message: string;
}

export const ErrorResponseSchema = z
  .object({
    error: z.object({
      code: z
        .string()
        .describe('Stable, machine-readable: e.g. invalid-request, not-acknowledged, temporal-unavailable'),
      message: z.string().describe('One sentence for a person'),
      details: z
        .array(z.object({ in: z.string().optional(), path: z.string(), message: z.string() }))
        .optional()
        .describe('Field-level problems (400 only)'),
    }),
  })
  .describe('Every error the API returns has this shape');
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

/** An error with its HTTP status and code; thrown anywhere while answering, rendered by the error handler. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: FieldProblem[],
    /** Extra response headers (e.g. WWW-Authenticate). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  toResponse(): ErrorResponse {
    return {
      error: { code: this.code, message: this.message, ...(this.details?.length ? { details: this.details } : {}) },
    };
  }
}

export const badRequest = (code: string, message: string, details?: FieldProblem[]) =>
  new ApiError(400, code, message, details);
export const notFound = (code: string, message: string) => new ApiError(404, code, message);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);
export const temporalUnavailable = (message: string) => new ApiError(503, 'temporal-unavailable', message);

/** Error responses by status, for route schemas (documentation: OpenAPI lists them). */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorResponseSchema> {
  return Object.fromEntries(
    statuses.map((status) => [status, ErrorResponseSchema.describe(STATUS_TEXT[status] ?? 'Error')]),
  );
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request: see error.details for the fields',
  401: 'No valid bearer token',
  403: 'The token is valid but its roles do not allow this',
  404: 'Unknown complaint or route',
  408: 'The request (headers and body) did not arrive within the time allowed',
  409: "Not allowed now: error.code is the procedure's reason, or idempotency-key-reused",
  413: 'Body too large',
  415: 'Unsupported content type',
  431: 'Request headers too large (over 16 KB)',
  503: 'Temporal or the register is unavailable; nothing was changed unless the message says otherwise',
};

// Fastify's own errors (parsing, limits, routing) → our codes. Anything with a 4xx status not listed keeps its status.
const FRAMEWORK_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid-json', message: 'The body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'invalid-json',
    message: 'The body is empty but its content type is application/json',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'body-too-large',
    message: 'The body is larger than this API accepts',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported-media-type',
    message: 'Send JSON (Content-Type: application/json)',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'invalid-content-length',
    message: 'The body does not match its Content-Length',
  },
  FST_ERR_BAD_URL: { status: 400, code: 'bad-url', message: 'The URL is malformed' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 400, code: 'bad-url', message: 'A path parameter is too long' },
  FST_ERR_NOT_FOUND: { status: 404, code: 'not-found', message: 'No such route' },
};

/** Field problems from the zod type provider's validation error, unknown keys listed one by one. */
function fieldProblems(
  error: FastifyError & {
    validation: Array<{ instancePath: string; keyword: string; message?: string; params?: Record<string, unknown> }>;
  },
  part?: string,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of error.validation) {
    const path = issue.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
    const keys =
      issue.keyword === 'unrecognized_keys' && Array.isArray(issue.params?.keys)
        ? (issue.params.keys as unknown[])
        : undefined;
    if (keys) {
      for (const key of keys)
        problems.push({
          ...(part ? { in: part } : {}),
          path: path ? `${path}.${String(key)}` : String(key),
          message: 'unknown field',
        });
    } else {
      problems.push({ ...(part ? { in: part } : {}), path, message: issue.message ?? 'invalid' });
    }
  }
  return problems;
}

function describeProblems(problems: FieldProblem[]): string {
  const first = problems.slice(0, 3).map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
  return `Invalid ${problems[0]?.in ?? 'request'}: ${first.join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}`;
}

/** Any thrown value → the error response (status, body, headers). Pure: used by the error handler and tests. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof RegisterUnavailableError)
    return new ApiError(
      503,
      'register-unavailable',
      'The register (the database) is not answering; try again shortly (an action sent again with its Idempotency-Key is recorded once)',
    );
  if (hasZodFastifySchemaValidationErrors(error)) {
    const part = (error as { validationContext?: string }).validationContext;
    const problems = fieldProblems(error as Parameters<typeof fieldProblems>[0], part);
    return new ApiError(400, 'invalid-request', describeProblems(problems), problems);
  }
  const fastifyError = error as Partial<FastifyError> | undefined;
  const known = fastifyError?.code ? FRAMEWORK_ERRORS[fastifyError.code] : undefined;
  if (known) return new ApiError(known.status, known.code, known.message);
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Another client error Fastify knows about (e.g. prototype poisoning in JSON): keep its status, not its internals.
    return new ApiError(status, 'bad-request', 'The request could not be processed as sent');
  }
  return new ApiError(500, 'internal-error', 'Something went wrong on our side; it has been logged');
}

/** The error handler of the whole app. Logs 5xx with their cause; never sends a stack or internal message. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const apiError = toApiError(error);
  if (apiError.code === 'internal-error') {
    request.log.error({ err: error }, 'request failed');
  } else if (apiError.statusCode >= 500) {
    request.log.warn({ code: apiError.code, status: apiError.statusCode }, apiError.message);
  } else {
    request.log.info({ code: apiError.code, status: apiError.statusCode }, 'request refused');
  }
  sendError(reply, apiError);
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  if (error.headers) reply.headers(error.headers);
  // Serialised here, not by a route's response schema: the error handler must never fail itself.
  return reply
    .code(error.statusCode)
    .type('application/json; charset=utf-8')
    .serializer(JSON.stringify)
    .send(error.toResponse());
}

/** For routes that match nothing. */
export function handleNotFound(request: FastifyRequest, reply: FastifyReply): void {
  const path = (request.url.split('?')[0] ?? '').slice(0, 200);
  sendError(reply, new ApiError(404, 'not-found', `No route ${request.method} ${path}`));
}

/** Fastify's `frameworkErrors` option: malformed URLs and the like, before any route runs. */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  handleError(error, request, reply);
}

/** The answer to a request Node's HTTP parser refused before Fastify saw it (too slow, headers too large, not HTTP). */
export function clientErrorResponse(error: { code?: string }): ApiError {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiError(408, 'request-timeout', 'The request did not arrive in full within the time allowed');
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError(431, 'headers-too-large', 'The request headers are larger than this API accepts (16 KB)');
    default:
      return new ApiError(400, 'bad-request', 'The request is not valid HTTP');
  }
}

/**
 * Fastify's `clientErrorHandler`: Node answers these on the socket itself (Fastify's own default writes its shape),
 * so the one error shape is written here, then the connection is closed (the request cannot be read further).
 */
export function handleClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection is gone: there is no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const apiError = clientErrorResponse(error);
    const body = JSON.stringify(apiError.toResponse());
    socket.write(
      `HTTP/1.1 ${apiError.statusCode} ${STATUS_CODES[apiError.statusCode] ?? 'Error'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
