// The batch endpoint (`POST /batch/compute/v1`), which gcloud uses to send several calls in one
// HTTP request (a `delete` always goes this way). The body is `multipart/mixed`; each part is
// `application/http` with a `Content-ID: <id+N>` and an embedded HTTP/1.1 request. The answer
// is `multipart/mixed` too, one `application/http` part per request, `Content-ID:
// <response-id+N>`, each holding an embedded `HTTP/1.1 <status>` response.

import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

export interface BatchRequestPart {
  contentId: string | undefined;
  method: string;
  /** The request target as written: usually a path with query, possibly a full URL. */
  target: string;
  body: string;
}

export interface BatchResponsePart {
  contentId: string | undefined;
  status: number;
  contentType: string;
  body: string;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return match?.[1] ?? match?.[2];
}

export function parseBatchBody(body: string, boundary: string): BatchRequestPart[] {
  const parts: BatchRequestPart[] = [];
  const chunks = body.split(`--${boundary}`).slice(1);
  for (const chunk of chunks) {
    if (chunk.startsWith('--')) break;
    const [mimeHeaders, embedded] = splitHead(chunk.replace(/^\r?\n/, ''));
    const [head, requestBody] = splitHead(embedded);
    const [requestLine = ''] = head.split(/\r?\n/);
    const [method = '', target = ''] = requestLine.split(' ');
    parts.push({
      contentId: headerValue(mimeHeaders, 'content-id'),
      method: method.toUpperCase(),
      target,
      body: requestBody.replace(/\r?\n$/, ''),
    });
  }
  return parts;
}

export function formatBatchResponse(parts: BatchResponsePart[]): { contentType: string; body: string } {
  const boundary = `batch_${randomBytes(12).toString('base64url')}`;
  const lines: string[] = [];
  for (const part of parts) {
    lines.push(`--${boundary}`, 'Content-Type: application/http');
    if (part.contentId !== undefined) lines.push(`Content-ID: <response-${part.contentId}>`);
    lines.push(
      '',
      `HTTP/1.1 ${part.status} ${STATUS_CODES[part.status] ?? ''}`.trimEnd(),
      `Content-Type: ${part.contentType}`,
      `Content-Length: ${Buffer.byteLength(part.body)}`,
      '',
      part.body,
    );
  }
  lines.push(`--${boundary}--`, '');
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: lines.join('\r\n') };
}

/** Splits headers from content at the first empty line (CRLF or bare LF line endings). */
function splitHead(text: string): [string, string] {
  const match = /\r?\n\r?\n/.exec(text);
  if (!match) return [text, ''];
  return [text.slice(0, match.index), text.slice(match.index + match[0].length)];
}

/** The value of a header, with the angle brackets of a Content-ID removed. */
function headerValue(headers: string, name: string): string | undefined {
  for (const line of headers.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) {
      return line
        .slice(colon + 1)
        .trim()
        .replace(/^<(.*)>$/, '$1');
    }
  }
  return undefined;
}
