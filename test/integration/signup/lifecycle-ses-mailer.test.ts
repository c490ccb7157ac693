// The SES mailer: a real SESClient against the emulator for the happy path, and against a tiny HTTP
// server answering the way real SES does when it refuses (AWS itself is the only thing stood in for).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESClient } from '@aws-sdk/client-ses';
import { startTestStack, type TestStack } from '../../support/stack.js';
import { createSesMailer, sesTagValue } from '../../../functions/adapters/ses-mailer.js';
import { SendError } from '../../../functions/core/ports.js';
import { composeMessage } from '../../../functions/email/mime.js';

let stack: TestStack;
let fakeSes: Server;
let fakeUrl: string;
let answer: { status: number; code: string; message: string };
const received: string[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  fakeSes = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(body);
      res.writeHead(answer.status, { 'content-type': 'text/xml' });
      res.end(
        `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>${answer.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${answer.code}</Code><Message>${answer.message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => fakeSes.listen(0, '127.0.0.1', resolve));
  fakeUrl = `http://127.0.0.1:${(fakeSes.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await stack.stop();
  await new Promise((resolve) => fakeSes.close(resolve));
});

const message = () =>
  composeMessage({
    from: { name: 'Course', address: 'course@example.com' },
    to: 'reader@example.com',
    subject: 'Lesson 1',
    html: '<p>Hi</p>',
    text: 'Hi',
  });
const localClient = (endpoint: string) =>
  new SESClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });

describe('SES mailer', () => {
  it('sends the raw message with SendRawEmail and answers the message id', async () => {
    const mailer = createSesMailer({ client: stack.ses, configurationSet: 'course-events' });
    const out = await mailer.sendRaw({ raw: await message(), to: 'reader@example.com', tags: { kind: 'lesson', lesson: '1' } });
    expect(out.messageId).toBeTruthy();
    const stored = (await stack.emails()).find((e) => e.messageId === out.messageId);
    expect(stored?.subject).toBe('Lesson 1');
  });

  it('sends the configuration set, the tags and only the intended recipient', async () => {
    answer = { status: 400, code: 'MessageRejected', message: 'no' };
    received.length = 0;
    const client = localClient(fakeUrl);
    const mailer = createSesMailer({ client, configurationSet: 'course-events' });
    await expect(
      mailer.sendRaw({ raw: await message(), to: 'reader@example.com', tags: { course: 'botox course', subscriber: 'abc' } }),
    ).rejects.toBeInstanceOf(SendError);
    const params = new URLSearchParams(received[0]);
    expect(params.get('Action')).toBe('SendRawEmail');
    expect(params.get('ConfigurationSetName')).toBe('course-events');
    expect(params.get('Destinations.member.1')).toBe('reader@example.com');
    expect(params.get('Destinations.member.2')).toBeNull();
    expect(params.get('Tags.member.1.Name')).toBe('course');
    expect(params.get('Tags.member.1.Value')).toBe('botox_course');
    expect(params.get('Tags.member.2.Value')).toBe('abc');
    client.destroy();
  });

  const cases: { status: number; code: string; kind: SendError['kind'] }[] = [
    { status: 400, code: 'Throttling', kind: 'throttled' },
    { status: 400, code: 'MaxSendingRateExceeded', kind: 'throttled' },
    { status: 429, code: 'TooManyRequestsException', kind: 'throttled' },
    { status: 500, code: 'InternalFailure', kind: 'transient' },
    { status: 503, code: 'ServiceUnavailable', kind: 'transient' },
    { status: 400, code: 'MessageRejected', kind: 'permanent' },
    { status: 400, code: 'MailFromDomainNotVerifiedException', kind: 'permanent' },
    { status: 400, code: 'InvalidParameterValue', kind: 'permanent' },
    { status: 400, code: 'ConfigurationSetDoesNotExist', kind: 'permanent' },
  ];
  for (const c of cases) {
    it(`maps SES ${c.status} ${c.code} to a ${c.kind} SendError`, async () => {
      answer = { status: c.status, code: c.code, message: `${c.code} happened` };
      const client = localClient(fakeUrl);
      const mailer = createSesMailer({ client });
      const sent = mailer.sendRaw({ raw: await message(), to: 'reader@example.com' });
      await expect(sent).rejects.toBeInstanceOf(SendError);
      await expect(sent).rejects.toMatchObject({ kind: c.kind });
      await expect(sent).rejects.toHaveProperty('cause');
      client.destroy();
    });
  }

  it('maps a connection that cannot be made to a transient SendError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const client = localClient(`http://127.0.0.1:${port}`);
    await expect(createSesMailer({ client }).sendRaw({ raw: await message(), to: 'reader@example.com' })).rejects.toMatchObject({
      kind: 'transient',
    });
    client.destroy();
  });

  it('keeps SES tag values to the characters SES allows', () => {
    expect(sesTagValue('lesson 3: Botox/numbness')).toBe('lesson_3__Botox_numbness');
    expect(sesTagValue('a.b-c_d@e')).toBe('a.b-c_d@e');
    expect(sesTagValue('')).toBe('_');
  });
});
