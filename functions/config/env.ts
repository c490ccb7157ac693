// The name of every environment variable the course reads, in one place. infra/ sets the Lambda
// ones under these names and the settings schemas (functions/adapters/config.ts for Lambda,
// functions/local/settings.ts for `npm start`, functions/cli/target.ts for the CLI, bench/options.ts)
// read them through the same table, so a name cannot drift between what is set and what is read.

/** Setting (as the parsed config calls it) → environment variable. */
export const ENV = {
  // The app's settings, the same in Lambda, `npm start` and the CLI.
  tableName: 'TABLE_NAME',
  publicUrl: 'PUBLIC_URL',
  configurationSet: 'SES_CONFIGURATION_SET',
  corsOrigins: 'CORS_ORIGINS',
  maxSendRate: 'MAX_SEND_RATE',
  sendConcurrency: 'SEND_CONCURRENCY',
  dueShards: 'DUE_SHARDS',
  signupsPerIpPerHour: 'SIGNUPS_PER_IP_PER_HOUR',
  senderAddress: 'SENDER_ADDRESS',
  dripSenders: 'DRIP_SENDERS',
  ratePerSender: 'RATE_PER_SENDER',
  clientIpHeader: 'CLIENT_IP_HEADER',
  /** The Secrets Manager secret CloudFront's origin-verify header must match (the api Lambda, behind CloudFront). */
  originVerifySecretId: 'ORIGIN_VERIFY_SECRET_ID',
  /** The Secrets Manager secret holding the link-signing key: its ARN (as infra sets it) or its name. */
  tokenSecretId: 'TOKEN_SECRET_ID',
  // The drip planner's (fan-out).
  senderFunctionName: 'SENDER_FUNCTION_NAME',
  dripTickSeconds: 'DRIP_TICK_SECONDS',
  /** Set by Lambda itself: the folder the bundle (and compiled-course.json) was unpacked into. */
  taskRoot: 'LAMBDA_TASK_ROOT',
  // The local stack's (`npm start`; the CLI finds it through the same ones).
  port: 'PORT',
  sesPort: 'SES_PORT',
  dynamodbPort: 'DYNAMODB_PORT',
  dataDir: 'DATA_DIR',
  dripEvery: 'DRIP_EVERY',
  /** The AWS SDK's own endpoint overrides, honoured by the local stack instead of starting its own. */
  dynamodbEndpoint: 'AWS_ENDPOINT_URL_DYNAMODB',
  sesEndpoint: 'AWS_ENDPOINT_URL_SES',
  /** Where the courses are (every entry point that loads courses). */
  coursesDir: 'COURSES_DIR',
} as const;

export type SettingKey = keyof typeof ENV;

/** Old names still read, each with the name that replaced it (a deprecation line is logged when one is used). */
export const RENAMED_ENV: Readonly<Record<string, SettingKey>> = {
  /** Until the token secret had one name everywhere (the CLI always said TOKEN_SECRET_ID). */
  TOKEN_SECRET_ARN: 'tokenSecretId',
};
