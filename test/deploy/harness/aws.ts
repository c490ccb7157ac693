// The AWS endpoints one function instance talks to: a recording HTTP proxy that every AWS_ENDPOINT_URL_*
// of its container points at. It records each call (service, IAM action, resource ARN as the template
// names it) and hands it on: DynamoDB to DynamoDB Local, SES SendRawEmail to the SES emulator, Lambda
// Invoke to the run's Lambda service. What no emulator here answers is stood in for, because real AWS
// cannot run on this machine: Secrets Manager GetSecretValue (the secrets the template declares), SES
// GetSendQuota (aws-ses-v2-local has no quota) and EventBridge PutEvents (every entry accepted; the
// subscription events are kept in `backends.events` when given).
//
// Why a proxy and not an SDK middleware: the bundle stays exactly what esbuild built (nothing is
// injected into the deployed code), and what is recorded is what went on the wire, whichever client or
// library in the bundle made the call.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer } from '../../../functions/local/services.js';
import { ACCOUNT, PARTITION, REGION } from './template.js';

/** One AWS call a function made. */
export interface AwsCall {
  /** The function's construct path, e.g. "HttpApi/Handler/Function". */
  function: string;
  container: number;
  /** The IAM service prefix and action, e.g. "dynamodb" and "PutItem". */
  service: string;
  action: string;
  /** The resources IAM authorises the action on (ARNs, or "*"). */
  resources: string[];
  /** When the request arrived (real ms since the epoch). */
  at: number;
  status?: number;
}

/** What the endpoints forward to or stand in for. */
export interface AwsBackends {
  dynamoUrl: string;
  sesUrl: string;
  /** Secret string by secret ARN (from the template's AWS::SecretsManager::Secret resources). */
  secrets: Map<string, string>;
  /** GetSendQuota's answer (SES's account quota; MaxSendRate in emails per second). */
  sendQuota: { Max24HourSend: number; MaxSendRate: number; SentLast24Hours: number };
  /** Lambda Invoke: `async` for InvocationType Event; the answer's payload otherwise. */
  invoke(name: string, payload: unknown, async: boolean): Promise<{ status: number; body: string }>;
  /** SES accepted a message (its id, and the SendRawEmail parameters). */
  accepted(messageId: string, params: URLSearchParams): void;
  /** Where PutEvents entries are kept (bus, detail-type, detail), when given. */
  events?: { bus: string; detailType: string; detail: unknown }[];
}

const read = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** The SigV4 credential scope's service (Authorization: … Credential=key/date/region/SERVICE/aws4_request). */
function signingService(req: IncomingMessage): string {
  return /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? 'unknown';
}

const tableArn = (table: string, index?: string) =>
  `arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT}:table/${table}${index === undefined ? '' : `/index/${index}`}`;

const PARTIQL: Record<string, string> = {
  SELECT: 'PartiQLSelect',
  INSERT: 'PartiQLInsert',
  UPDATE: 'PartiQLUpdate',
  DELETE: 'PartiQLDelete',
};

function partiql(statement: string): { action: string; resource: string } {
  const verb = statement.trim().split(/\s+/)[0]!.toUpperCase();
  const table = /(?:UPDATE|INTO|FROM)\s+"([^"]+)"/i.exec(statement)?.[1] ?? '?';
  return { action: PARTIQL[verb] ?? `PartiQL?${verb}`, resource: tableArn(table) };
}

type Body = Record<string, unknown>;

/** IAM actions and resources of one DynamoDB API call (a transaction is authorised per item). */
export function dynamoActions(op: string, body: Body): { action: string; resources: string[] }[] {
  const items = (key: string) => (body[key] as Body[] | undefined) ?? [];
  switch (op) {
    case 'TransactWriteItems':
      return items('TransactItems').map((item) => {
        const [kind, spec] = Object.entries(item)[0] as [string, { TableName: string }];
        const action = { ConditionCheck: 'ConditionCheckItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem' }[kind] ?? kind;
        return { action, resources: [tableArn(spec.TableName)] };
      });
    case 'TransactGetItems':
      return items('TransactItems').map((item) => ({
        action: 'GetItem',
        resources: [tableArn((item.Get as { TableName: string }).TableName)],
      }));
    case 'BatchExecuteStatement':
      return items('Statements')
        .map((s) => partiql(String(s.Statement)))
        .map((p) => ({ action: p.action, resources: [p.resource] }));
    case 'ExecuteStatement':
      return [partiql(String(body.Statement))].map((p) => ({ action: p.action, resources: [p.resource] }));
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return [{ action: op, resources: Object.keys(body.RequestItems as Body).map((t) => tableArn(t)) }];
    default:
      return [{ action: op, resources: [tableArn(String(body.TableName), body.IndexName as string | undefined)] }];
  }
}

function sendResponse(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(body);
}

async function forward(url: string, req: IncomingMessage, body: Buffer): Promise<{ status: number; type: string; body: Buffer }> {
  const headers = Object.fromEntries(
    Object.entries(req.headers).filter(([k, v]) => k !== 'host' && k !== 'content-length' && typeof v === 'string'),
  ) as Record<string, string>;
  const r = await fetch(`${url}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, ...(body.length > 0 ? { body } : {}) });
  return { status: r.status, type: r.headers.get('content-type') ?? 'application/octet-stream', body: Buffer.from(await r.arrayBuffer()) };
}

const sesXml = (action: string, result: string) =>
  `<${action}Response xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><${action}Result>${result}</${action}Result>` +
  `<ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></${action}Response>`;

/** The identity SES authorises a send against: the From address's domain (or the Source's). */
function identityOf(params: URLSearchParams): string {
  const source = params.get('Source') ?? '';
  const raw = Buffer.from(params.get('RawMessage.Data') ?? '', 'base64').toString('utf8');
  const from = source || (/^From:.*?([^\s<@]+@[^\s>]+)/im.exec(raw)?.[1] ?? '');
  return from.split('@')[1]?.replace(/>$/, '') ?? '?';
}

export interface RecordingEndpoint {
  url: string;
  close(): Promise<void>;
}

/**
 * Start the endpoint of one function instance; each call is pushed onto `calls`.
 * An unknown service or action answers 400 and is recorded, so the test sees it.
 */
export async function startRecordingEndpoint(
  fn: string,
  container: number,
  backends: AwsBackends,
  calls: AwsCall[],
): Promise<RecordingEndpoint> {
  const server: Server = createServer((req, res) => {
    const at = Date.now();
    read(req)
      .then(async (body) => {
        const record = (service: string, action: string, resources: string[]) => {
          const call: AwsCall = { function: fn, container, service, action, resources, at };
          calls.push(call);
          return call;
        };
        const service = signingService(req);
        if (service === 'dynamodb') return dynamo(req, res, body, record, backends);
        if (service === 'ses') return ses(req, res, body, record, backends);
        if (service === 'secretsmanager') return secrets(req, res, body, record, backends);
        if (service === 'lambda') return lambda(req, res, body, record, backends);
        if (service === 'events') return eventBridge(req, res, body, record, backends);
        record(service, String(req.headers['x-amz-target'] ?? req.url ?? '?'), []);
        sendResponse(res, 400, 'application/json', JSON.stringify({ message: `no local ${service} in this run` }));
      })
      .catch((e: unknown) => sendResponse(res, 500, 'text/plain', String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server) };
}

type Record_ = (service: string, action: string, resources: string[]) => AwsCall;

async function dynamo(req: IncomingMessage, res: ServerResponse, body: Buffer, record: Record_, b: AwsBackends): Promise<void> {
  const op = String(req.headers['x-amz-target']).split('.')[1] ?? '?';
  const calls = dynamoActions(op, JSON.parse(body.toString('utf8') || '{}') as Body).map((a) => record('dynamodb', a.action, a.resources));
  const r = await forward(b.dynamoUrl, req, body);
  for (const c of calls) c.status = r.status;
  sendResponse(res, r.status, r.type, r.body);
}

async function ses(req: IncomingMessage, res: ServerResponse, body: Buffer, record: Record_, b: AwsBackends): Promise<void> {
  const params = new URLSearchParams(body.toString('utf8'));
  const action = params.get('Action') ?? '?';
  if (action === 'GetSendQuota') {
    record('ses', action, ['*']).status = 200;
    const q = b.sendQuota;
    const result = `<Max24HourSend>${q.Max24HourSend}</Max24HourSend><MaxSendRate>${q.MaxSendRate}</MaxSendRate><SentLast24Hours>${q.SentLast24Hours}</SentLast24Hours>`;
    return sendResponse(res, 200, 'text/xml', sesXml(action, result));
  }
  const resources =
    action === 'SendRawEmail'
      ? [
          `arn:${PARTITION}:ses:${REGION}:${ACCOUNT}:identity/${identityOf(params)}`,
          ...(params.get('ConfigurationSetName')
            ? [`arn:${PARTITION}:ses:${REGION}:${ACCOUNT}:configuration-set/${params.get('ConfigurationSetName')}`]
            : []),
        ]
      : ['*'];
  const call = record('ses', action, resources);
  const r = await forward(b.sesUrl, req, body);
  call.status = r.status;
  const messageId = /<MessageId>([^<]+)<\/MessageId>/.exec(r.body.toString('utf8'))?.[1];
  if (action === 'SendRawEmail' && r.status === 200 && messageId !== undefined) {
    b.sendQuota.SentLast24Hours += 1;
    b.accepted(messageId, params);
  }
  sendResponse(res, r.status, r.type, r.body);
}

function secrets(req: IncomingMessage, res: ServerResponse, body: Buffer, record: Record_, b: AwsBackends): void {
  const action = String(req.headers['x-amz-target']).split('.')[1] ?? '?';
  const { SecretId } = JSON.parse(body.toString('utf8') || '{}') as { SecretId?: string };
  const arn = [...b.secrets.keys()].find(
    (a) =>
      a === SecretId ||
      a
        .split(':')
        .at(-1)
        ?.replace(/-[A-Za-z0-9]{6}$/, '') === SecretId,
  );
  const call = record('secretsmanager', action, [arn ?? String(SecretId)]);
  if (action !== 'GetSecretValue' || arn === undefined) {
    call.status = 400;
    const type = action === 'GetSecretValue' ? 'ResourceNotFoundException' : 'InvalidRequestException';
    return sendResponse(
      res,
      400,
      'application/x-amz-json-1.1',
      JSON.stringify({ __type: type, message: `no local ${action} for ${SecretId}` }),
    );
  }
  call.status = 200;
  const name = arn.split(':').at(-1)!;
  sendResponse(
    res,
    200,
    'application/x-amz-json-1.1',
    JSON.stringify({ ARN: arn, Name: name, SecretString: b.secrets.get(arn), VersionId: 'v1' }),
  );
}

/** EventBridge PutEvents: authorised per bus (EventBusName, a name or an ARN); every entry accepted. */
function eventBridge(req: IncomingMessage, res: ServerResponse, body: Buffer, record: Record_, b: AwsBackends): void {
  const action = String(req.headers['x-amz-target']).split('.')[1] ?? '?';
  const input = JSON.parse(body.toString('utf8') || '{}') as {
    Entries?: { EventBusName?: string; DetailType?: string; Detail?: string }[];
  };
  const entries = input.Entries ?? [];
  const busArn = (bus = 'default') => (bus.startsWith('arn:') ? bus : `arn:${PARTITION}:events:${REGION}:${ACCOUNT}:event-bus/${bus}`);
  const call = record('events', action, [...new Set(entries.map((e) => busArn(e.EventBusName)))]);
  if (action !== 'PutEvents') {
    call.status = 400;
    return sendResponse(
      res,
      400,
      'application/x-amz-json-1.1',
      JSON.stringify({ __type: 'ValidationException', message: `no local ${action}` }),
    );
  }
  call.status = 200;
  for (const e of entries)
    b.events?.push({ bus: e.EventBusName ?? 'default', detailType: e.DetailType ?? '', detail: JSON.parse(e.Detail ?? 'null') as unknown });
  sendResponse(
    res,
    200,
    'application/x-amz-json-1.1',
    JSON.stringify({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `local-${Date.now()}-${i}` })) }),
  );
}

async function lambda(req: IncomingMessage, res: ServerResponse, body: Buffer, record: Record_, b: AwsBackends): Promise<void> {
  const name = decodeURIComponent(/^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '')?.[1] ?? '?');
  const arn = name.startsWith('arn:') ? name : `arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:function:${name}`;
  const call = record('lambda', 'InvokeFunction', [arn]);
  const async = req.headers['x-amz-invocation-type'] === 'Event';
  const r = await b.invoke(name, JSON.parse(body.toString('utf8') || 'null'), async);
  call.status = r.status;
  sendResponse(res, r.status, 'application/json', r.body);
}
