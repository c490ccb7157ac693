// API Gateway HTTP API, as the template declares it: a local HTTP server that answers exactly the
// template's AWS::ApiGatewayV2::Route keys ("GET /confirm", "GET /courses/{slug}", "ANY /x", "$default")
// by invoking the route's integration (a Lambda proxy, payload format 2.0) with the event API Gateway
// builds. A method and path no route matches answers API Gateway's 404 {"message":"Not Found"}
// without invoking anything, as in AWS.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer } from '../../../functions/local/services.js';
import { ACCOUNT } from './template.js';

/** One route: its key as the template writes it and the function its integration invokes. */
export interface Route {
  routeKey: string;
  functionArn: string;
}

/** Invokes a function synchronously (RequestResponse) with an event; resolves with what it returned. */
export type InvokeSync = (functionArn: string, event: unknown) => Promise<unknown>;

interface Match {
  route: Route;
  pathParameters: Record<string, string>;
}

/** The route API Gateway picks: the most specific matching path, an exact method before ANY, then $default. */
export function matchRoute(routes: readonly Route[], method: string, path: string): Match | undefined {
  const segs = path.split('/').filter(Boolean);
  const found: (Match & { score: number })[] = [];
  for (const route of routes) {
    if (route.routeKey === '$default') continue;
    const [m, template] = route.routeKey.split(' ') as [string, string];
    if (m !== method && m !== 'ANY') continue;
    const parts = template.split('/').filter(Boolean);
    const params: Record<string, string> = {};
    let ok = true;
    let score = m === 'ANY' ? 0 : 1;
    for (let i = 0; i < parts.length && ok; i++) {
      const part = parts[i]!;
      const greedy = /^\{(\w+)\+\}$/.exec(part);
      if (greedy) {
        params[greedy[1]!] = segs.slice(i).join('/');
        ok = segs.length > i;
        break;
      }
      const seg = segs[i];
      if (seg === undefined) ok = false;
      else if (/^\{\w+\}$/.test(part)) params[part.slice(1, -1)] = decodeURIComponent(seg);
      else if (part === seg) score += 10;
      else ok = false;
    }
    if (ok && !parts.some((p) => p.endsWith('+}')) && parts.length !== segs.length) ok = false;
    if (ok) found.push({ route, pathParameters: params, score });
  }
  found.sort((a, b) => b.score - a.score);
  if (found[0]) return found[0];
  const fallback = routes.find((r) => r.routeKey === '$default');
  return fallback ? { route: fallback, pathParameters: {} } : undefined;
}

const TEXT = /^(text\/|application\/(json|xml|javascript)|application\/[\w.+-]+\+(json|xml))/i;

/** The payload format 2.0 event for one request. */
export function httpEvent(req: IncomingMessage, body: Buffer, match: Match, host: string, now: Date): Record<string, unknown> {
  const url = new URL(req.url ?? '/', 'http://x');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && k !== 'cookie') headers[k] = Array.isArray(v) ? v.join(',') : v;
  headers.host = host;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const binary = body.length > 0 && !TEXT.test(req.headers['content-type'] ?? '');
  const method = req.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: match.route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(match.pathParameters).length > 0 ? { pathParameters: match.pathParameters } : {}),
    requestContext: {
      accountId: ACCOUNT,
      apiId: host.split('.')[0],
      domainName: host,
      domainPrefix: host.split('.')[0],
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: match.route.routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0
      ? { body: binary ? body.toString('base64') : body.toString('utf8'), isBase64Encoded: binary }
      : { isBase64Encoded: false }),
  };
}

function reply(res: ServerResponse, method: string, status: number, headers: Record<string, string>, body: Buffer): void {
  res.writeHead(status, headers);
  res.end(method === 'HEAD' ? undefined : body);
}

/** What the function returned, as API Gateway turns it into a response (a non-object is a 200 JSON body). */
function toResponse(result: unknown): { status: number; headers: Record<string, string>; body: Buffer } {
  const r = result as {
    statusCode?: number;
    headers?: Record<string, string>;
    body?: string;
    isBase64Encoded?: boolean;
    cookies?: string[];
  };
  if (typeof r !== 'object' || r === null || typeof r.statusCode !== 'number') {
    return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(result)) };
  }
  const headers = { ...(r.headers ?? {}) };
  if (r.cookies?.length) headers['set-cookie'] = r.cookies.join(', ');
  return { status: r.statusCode, headers, body: Buffer.from(r.body ?? '', r.isBase64Encoded ? 'base64' : 'utf8') };
}

export interface ApiGateway {
  url: string;
  routes: Route[];
  /** Requests served, with the route that matched (undefined: API Gateway's 404). */
  requests: { method: string; path: string; routeKey?: string; status: number }[];
  close(): Promise<void>;
}

/** Start the API on a free port; `routes` is filled once the template is resolved against its URL. */
export async function startApiGateway(invoke: InvokeSync, now: () => Date): Promise<ApiGateway> {
  const api: ApiGateway = { url: '', routes: [], requests: [], close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const match = matchRoute(api.routes, method, path);
      if (match === undefined) {
        api.requests.push({ method, path, status: 404 });
        return reply(res, method, 404, { 'content-type': 'application/json' }, Buffer.from('{"message":"Not Found"}'));
      }
      const event = httpEvent(req, Buffer.concat(chunks), match, new URL(api.url).host, now());
      invoke(match.route.functionArn, event)
        .then((result) => {
          const r = toResponse(result);
          api.requests.push({ method, path, routeKey: match.route.routeKey, status: r.status });
          reply(res, method, r.status, r.headers, r.body);
        })
        .catch(() => {
          api.requests.push({ method, path, routeKey: match.route.routeKey, status: 500 });
          reply(res, method, 500, { 'content-type': 'application/json' }, Buffer.from('{"message":"Internal Server Error"}'));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () => closeServer(server);
  return api;
}
