// The console's one way to the node: fetch on the same origin with the session cookie, the
// CSRF token on every write, JSON in and out. A 401 signs the console out (the session ended
// or expired); other failures become ApiError with the server's own description.

export interface Session {
  user: string;
  organization: string;
  nation: string;
  roles: string[];
  csrf: string;
}

export class ApiError extends Error {
  status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

let csrf = '';

export function setCsrf(token: string): void {
  csrf = token;
}

// Requests larger than this are refused here (the node has its own, smaller, limits).
const kMaxUploadBytes = 64 * 1024 * 1024;

export interface Body {
  json?: unknown;
  raw?: Blob | string;
  contentType?: string;
}

export async function api<T>(method: string, path: string, body?: Body): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf;
  if (body?.json !== undefined) {
    headers['Content-Type'] = body.contentType ?? 'application/json';
    payload = JSON.stringify(body.json);
  } else if (body?.raw !== undefined) {
    const size = typeof body.raw === 'string' ? body.raw.length : body.raw.size;
    if (size > kMaxUploadBytes) throw new ApiError(413, `the upload is larger than ${kMaxUploadBytes} bytes`);
    headers['Content-Type'] = body.contentType ?? 'application/octet-stream';
    payload = body.raw;
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, `the node did not answer (${String(e)})`);
  }
  if (response.status === 401 && path !== '/api/v1/session') {
    window.dispatchEvent(new CustomEvent('kz-signed-out', { detail: { expired: true } }));
  }
  if (response.status === 204) return null as T;
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    if (response.ok) throw new ApiError(response.status, 'the node answered with something other than JSON');
  }
  if (!response.ok) {
    const description = (parsed as { description?: unknown } | null)?.description;
    throw new ApiError(response.status, typeof description === 'string' ? description : `HTTP ${response.status}`);
  }
  return parsed as T;
}

// A query string from parameters, leaving out empty values.
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    q.append(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}
