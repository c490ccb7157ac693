// The local stack's settings: ports, data folder, public URL, drip interval and the standard
// AWS_ENDPOINT_URL_* overrides, parsed once from the environment with the app's own settings (each
// from the one table, functions/config/settings.ts, as Lambda's: functions/adapters/config.ts).
import { resolve } from 'node:path';
import { appSettings, type AppConfig } from '../adapters/config.js';
import { readInterval, SettingError, withDefault, type Env } from '../config/parts.js';
import { pick, readSettings, SETTINGS } from '../config/settings.js';
import { defaultCoursesDir } from '../email/manifest.js';

export interface LocalSettings {
  /** The HTTP app; 0 picks a free port (tests). */
  port: number;
  /** The SES emulator and its inbox page. */
  sesPort: number;
  /** DynamoDB Local. */
  dynamodbPort: number;
  /** Where DynamoDB Local's files and the token key live. */
  dataDir: string;
  /** Base of every link; undefined means `http://localhost:<the port actually bound>`. */
  publicUrl?: string;
  /** Every course found in this folder is served (COURSES_DIR; default the repository's templates/courses). */
  coursesDir: string;
  /** Drip ticker interval in milliseconds; 0 turns it off. */
  dripEveryMs: number;
  /** Use this DynamoDB instead of starting DynamoDB Local. */
  dynamodbEndpoint?: string;
  /** Use this SES instead of starting the emulator. */
  sesEndpoint?: string;
  /** Everything else (table name, CORS origins, rates), as in Lambda. */
  app: Omit<AppConfig, 'publicUrl'>;
}

/** `npm start`'s settings: the app's, with PUBLIC_URL defaulting to the port actually bound. */
export const localSettings = {
  ...appSettings,
  publicUrl: SETTINGS.publicUrl.part,
  ...pick('port', 'sesPort', 'dynamodbPort', 'dataDir', 'dripEvery', 'dynamodbEndpoint', 'sesEndpoint'),
  // The repository's templates/courses, wherever `npm start` is run from.
  coursesDir: withDefault(SETTINGS.coursesDir.part, defaultCoursesDir),
};

/** `90s`, `1m`, `2h`, `500ms`, or a bare number of seconds, in milliseconds; `0` means off. Throws SettingError. */
export function parseInterval(raw: string, name = 'DRIP_EVERY'): number {
  const reading = readInterval(raw.trim());
  if ('problem' in reading) throw new SettingError(name, `${reading.problem}, got "${raw}"`);
  return reading.value;
}

/** Throws SettingError naming the first variable that is wrong. */
export function parseLocalSettings(env: Env): LocalSettings {
  const { port, sesPort, dynamodbPort, dataDir, publicUrl, coursesDir, dripEvery, dynamodbEndpoint, sesEndpoint, ...app } = readSettings(
    localSettings,
    env,
  );
  return {
    port,
    sesPort,
    dynamodbPort,
    dataDir,
    coursesDir: resolve(coursesDir),
    dripEveryMs: dripEvery,
    app,
    ...(publicUrl === undefined ? {} : { publicUrl }),
    ...(dynamodbEndpoint === undefined ? {} : { dynamodbEndpoint }),
    ...(sesEndpoint === undefined ? {} : { sesEndpoint }),
  };
}
