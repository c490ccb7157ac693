import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { startDynamoDbLocal } from '../../../functions/local/services.js';
import { startTestStack, type TestStack } from '../../support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.stop();
});

describe('embedded services', () => {
  it('DynamoDB Local creates the table with the due index and keeps an item', async () => {
    const table = await stack.newTable();
    const d = await stack.dynamo.send(new DescribeTableCommand({ TableName: table }));
    expect(d.Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe('due');
    await stack.doc.send(new PutCommand({ TableName: table, Item: { pk: 'a', sk: 'b', v: 1 } }));
    const got = await stack.doc.send(new GetCommand({ TableName: table, Key: { pk: 'a', sk: 'b' } }));
    expect(got.Item?.v).toBe(1);
  });

  it('the SES emulator accepts SendRawEmail and shows it in its store', async () => {
    const raw = 'From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nhello\r\n';
    const out = await stack.ses.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) } }));
    expect(out.MessageId).toBeTruthy();
    const emails = await stack.emails();
    expect(emails.at(-1)?.subject).toBe('hi');
  });

  it('without Java, starting DynamoDB Local fails with one message that names the fix', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startDynamoDbLocal()).rejects.toThrow(
        /`java` was not found\. DynamoDB Local needs Java 17 or newer .*apt-get install openjdk-17-jre-headless/,
      );
    } finally {
      process.env.PATH = path;
    }
  });

  it('a port already in use is named before DynamoDB Local starts', async () => {
    await expect(startDynamoDbLocal({ port: Number(new URL(stack.dynamoUrl).port) })).rejects.toThrow(
      /DynamoDB Local: port \d+ is already in use/,
    );
  });
});
