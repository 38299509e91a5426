// What Google's front ends answer for the transient failures clients must survive. Rate limits
// and backend errors come as the API's JSON envelope; a 502 comes from the front end itself, as
// an HTML page, which is what a client has to cope with then.

import { randomInt } from 'node:crypto';
import { ApiError } from './api-error.ts';

export interface RawResponse {
  status: number;
  contentType: string;
  body: string;
}

export function faultResponse(status: number): RawResponse {
  if (status === 502) {
    return {
      status,
      contentType: 'text/html; charset=UTF-8',
      body:
        '<!DOCTYPE html>\n<html lang=en><meta charset=utf-8><title>Error 502 (Server Error)!!1</title>' +
        '<p><b>502.</b> <ins>That’s an error.</ins><p>The server encountered a temporary error and ' +
        'could not complete your request.<p>Please try again in 30 seconds. <ins>That’s all we know.</ins>',
    };
  }
  return {
    status,
    contentType: 'application/json; charset=UTF-8',
    body: JSON.stringify(faultError(status).toEnvelope()),
  };
}

function faultError(status: number): ApiError {
  switch (status) {
    case 429:
      return new ApiError(
        429,
        'rateLimitExceeded',
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service " +
          `'compute.googleapis.com' for consumer 'project_number:${randomInt(1e9, 1e10)}'.`,
        'usageLimits',
      );
    case 500:
      return new ApiError(
        500,
        'backendError',
        `Internal error. Please try again or contact Google Support. (Code: '${randomInt(1e9, 1e10)}')`,
      );
    case 503:
      return new ApiError(503, 'backendError', 'Backend Error');
    case 504:
      return new ApiError(504, 'backendError', 'Deadline exceeded');
    default:
      return new ApiError(status, 'backendError', `Injected failure with status ${status}`);
  }
}
