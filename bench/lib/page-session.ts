/**
 * A signed-in person's page loads for benchmarks: next-auth's credentials flow with cookies over
 * plain HTTP (pages are for people, not tokens).
 */
import http from 'node:http';

/** A plain HTTP GET with cookies. */
export function getPage(
  baseUrl: string,
  path: string,
  cookie: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, baseUrl), { method: 'GET', headers: { ...headers, cookie } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          setCookie: res.headers['set-cookie'] ?? [],
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function post(
  baseUrl: string,
  path: string,
  form: Record<string, string>,
  cookie: string,
): Promise<{ status: number; setCookie: string[] }> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(path, baseUrl),
      {
        method: 'POST',
        headers: {
          cookie,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(Buffer.byteLength(body)),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, setCookie: res.headers['set-cookie'] ?? [] }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const cookiesOf = (setCookie: string[]) => setCookie.map((c) => c.split(';')[0]).join('; ');

/** Signs the bench admin in through next-auth's credentials flow; returns the session cookie header. */
export async function signIn(baseUrl: string): Promise<string> {
  const csrf = await getPage(baseUrl, '/api/auth/csrf', '');
  const { csrfToken } = JSON.parse(csrf.text) as { csrfToken: string };
  const cookie = cookiesOf(csrf.setCookie);
  const res = await post(
    baseUrl,
    '/api/auth/callback/credentials',
    { csrfToken, email: 'admin@pipewright.local', password: 'bench-admin-password-1', json: 'true' },
    cookie,
  );
  const session = cookiesOf(res.setCookie);
  if (!session.includes('session-token')) throw new Error(`bench: sign-in failed (${res.status})`);
  return `${cookie}; ${session}`;
}
