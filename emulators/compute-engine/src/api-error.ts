// Errors in the shape Compute Engine puts on the wire:
// `{"error": {"code", "message", "errors": [{"domain", "reason", "message"}]}}`.
// Clients differ in what they read from it (gcloud prints `errors[].message`, google-gax keeps
// only `code` and `message`), so every field is filled the way the real API fills it.

export interface ApiErrorItem {
  domain: string;
  reason: string;
  message: string;
}

export interface ApiErrorEnvelope {
  error: { code: number; message: string; errors: ApiErrorItem[] };
}

/** A synchronous failure of one API call; thrown by handlers and turned into an HTTP answer. */
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly domain: string;

  constructor(status: number, reason: string, message: string, domain = 'global') {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.reason = reason;
    this.domain = domain;
  }

  toEnvelope(): ApiErrorEnvelope {
    return {
      error: {
        code: this.status,
        message: this.message,
        errors: [{ domain: this.domain, reason: this.reason, message: this.message }],
      },
    };
  }
}

export function notFound(resourcePath: string): ApiError {
  return new ApiError(404, 'notFound', `The resource '${resourcePath}' was not found`);
}

export function alreadyExists(resourcePath: string): ApiError {
  return new ApiError(409, 'alreadyExists', `The resource '${resourcePath}' already exists`);
}

/** The answer for a caller without the IAM permission, e.g. on a shared-VPC host project. */
export function forbidden(permission: string, resourcePath: string): ApiError {
  return new ApiError(403, 'forbidden', `Required '${permission}' permission for '${resourcePath}'`);
}

export function invalidField(field: string, value: unknown, explanation: string): ApiError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return new ApiError(400, 'invalid', `Invalid value for field '${field}': '${shown}'. ${explanation}`);
}

export function requiredField(field: string): ApiError {
  return new ApiError(400, 'required', `Required field '${field}' not specified`);
}

/** A JSON value of the wrong type, reported the way the API's JSON decoder reports it. */
export function wrongType(field: string, protoType: string, value: unknown): ApiError {
  return new ApiError(400, 'invalid', `Invalid value at '${field}' (${protoType}), ${JSON.stringify(value)}`);
}

export function parseError(): ApiError {
  return new ApiError(400, 'parseError', 'Parse Error');
}

export function unknownPath(): ApiError {
  return new ApiError(404, 'notFound', 'Not Found');
}
