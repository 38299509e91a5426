// A client of a sandbox's node port from a chosen loopback address, as `curl --interface` is: the
// sandbox takes 127.203.113.10 for 203.0.113.10, and 127.0.0.1 for somewhere on the internet.
import http from 'node:http';

export type ClientOutcome =
  | { reached: true; status: number; body: string }
  | { reached: false; error: string };

export function getFrom(localAddress: string, url: string, timeoutMs = 2000): Promise<ClientOutcome> {
  return new Promise((resolve) => {
    const request = http.get(url, { localAddress, agent: false, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ reached: true, status: response.statusCode ?? 0, body }));
      response.on('error', (error) => resolve({ reached: false, error: error.message }));
    });
    request.on('timeout', () => request.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ reached: false, error: error.code ?? error.message }),
    );
  });
}
