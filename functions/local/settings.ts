// The local stack's settings (README's table): ports, data folder, public URL, drip interval and the
// standard AWS_ENDPOINT_URL_* overrides, parsed once from the environment, plus the app's own config.
import { parseConfig, type AppConfig } from '../adapters/config.js';

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
  /** Drip ticker interval in milliseconds; 0 turns it off. */
  dripEveryMs: number;
  /** Use this DynamoDB instead of starting DynamoDB Local. */
  dynamodbEndpoint?: string;
  /** Use this SES instead of starting the emulator. */
  sesEndpoint?: string;
  /** Everything else (table name, CORS origins, rates), as in Lambda. */
  app: Omit<AppConfig, 'publicUrl'>;
}

const DEFAULTS = { PORT: 3000, SES_PORT: 8005, DYNAMODB_PORT: 8000, DATA_DIR: '.local', DRIP_EVERY: '1m' };

function port(env: Record<string, string | undefined>, name: keyof typeof DEFAULTS): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return DEFAULTS[name] as number;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535) throw new Error(`Bad setting ${name}: must be a port number 0–65535, got "${raw}"`);
  return n;
}

/** `90s`, `1m`, `2h`, `500ms`, or a bare number of seconds; `0` means off. */
export function parseInterval(raw: string, name = 'DRIP_EVERY'): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(raw.trim());
  if (!m) throw new Error(`Bad setting ${name}: use a duration such as 30s, 1m or 2h (0 turns it off), got "${raw}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = Math.round(Number(m[1]) * unit);
  if (ms !== 0 && ms < 1000) throw new Error(`Bad setting ${name}: at least 1s (or 0 to turn it off), got "${raw}"`);
  return ms;
}

function endpoint(env: Record<string, string | undefined>, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new Error(`Bad setting ${name}: must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

export function parseLocalSettings(env: Record<string, string | undefined>): LocalSettings {
  const publicUrl = env.PUBLIC_URL?.trim() || undefined;
  const { publicUrl: _ignored, ...app } = parseConfig({ ...env, PUBLIC_URL: publicUrl });
  const settings: LocalSettings = {
    port: port(env, 'PORT'),
    sesPort: port(env, 'SES_PORT'),
    dynamodbPort: port(env, 'DYNAMODB_PORT'),
    dataDir: env.DATA_DIR?.trim() || DEFAULTS.DATA_DIR,
    dripEveryMs: parseInterval(env.DRIP_EVERY?.trim() || DEFAULTS.DRIP_EVERY),
    app,
  };
  // Checked and normalised by parseConfig (absolute http(s), no trailing slash).
  if (publicUrl !== undefined) settings.publicUrl = parseConfig({ PUBLIC_URL: publicUrl }).publicUrl;
  const dynamodbEndpoint = endpoint(env, 'AWS_ENDPOINT_URL_DYNAMODB');
  if (dynamodbEndpoint !== undefined) settings.dynamodbEndpoint = dynamodbEndpoint;
  const sesEndpoint = endpoint(env, 'AWS_ENDPOINT_URL_SES');
  if (sesEndpoint !== undefined) settings.sesEndpoint = sesEndpoint;
  return settings;
}
