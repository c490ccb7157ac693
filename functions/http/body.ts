// Reading request bodies, through Hono's validator (hono/validator): which media types a route
// takes, the fields of a form post, a JSON body. Every refusal is a ValidationError, so it is
// answered by the one error mapping (errors.ts) like any other.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { validator } from 'hono/validator';
import { ValidationError } from '../core/errors.js';
import { mediaType } from './errors.js';

/** Request bodies above this are refused with 413 before they are read further. */
export const MAX_BODY_BYTES = 10 * 1024;

/** Refuses a body over MAX_BODY_BYTES with 413 `body_too_large`, before it is read further. */
export const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ValidationError('body_too_large', `The request body is larger than ${MAX_BODY_BYTES / 1024} KB.`, undefined, 413);
  },
});

/** True when the request carries a body (RFC 9112 §6.3: a Transfer-Encoding, or a Content-Length above 0). */
export function hasBody(headers: Headers): boolean {
  if (headers.has('transfer-encoding')) return true;
  const length = headers.get('content-length');
  return length !== null && length.trim() !== '0';
}

/** The two form encodings a browser posts. */
export const isForm = (type: string | undefined): boolean => type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data';

/** `text` parsed as JSON; ValidationError `invalid_json` when it is not. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError('invalid_json', 'The request body is not valid JSON.');
  }
}

/**
 * The validator's own refusals (a malformed JSON or form body: HTTPException 400) as this app's
 * ValidationErrors, `invalid_json` and `invalid_form`.
 */
function refusalsAsValidationErrors(check: MiddlewareHandler): MiddlewareHandler {
  return async (c, next) => {
    try {
      return await check(c, next);
    } catch (e: unknown) {
      if (!(e instanceof HTTPException)) throw e;
      if (mediaType(c) === 'application/json') throw new ValidationError('invalid_json', 'The request body is not valid JSON.');
      throw new ValidationError('invalid_form', 'The form data could not be read.');
    }
  };
}

/**
 * A form post's fields as plain entries (a file upload in a text field stays non-text and fails
 * validation). A field in `single` given more than once is refused (`repeated_field`): which copy
 * counts would otherwise depend on the encoding (the last in a URL-encoded body, the first in
 * multipart), and a filled honeypot could be hidden behind an empty copy. Of another repeated
 * field, the first copy counts.
 */
function formEntries(form: Record<string, unknown>, single: readonly string[]): Record<string, unknown> {
  const fields = new Map<string, unknown>();
  for (const [k, v] of Object.entries(form)) {
    if (!Array.isArray(v)) fields.set(k, v);
    else if (v.length > 1 && single.includes(k)) throw new ValidationError('repeated_field', `The ${k} field is given more than once.`, k);
    else fields.set(k, v[0]);
  }
  return Object.fromEntries(fields);
}

/** 415 `unsupported_media_type` unless the body is a form post or JSON (the signup takes either). */
export const formOrJson: MiddlewareHandler = async (c, next) => {
  const type = mediaType(c);
  if (type !== 'application/json' && !isForm(type)) {
    throw new ValidationError(
      'unsupported_media_type',
      'Send the form as application/x-www-form-urlencoded, multipart/form-data or application/json.',
      undefined,
      415,
    );
  }
  await next();
};

/** A JSON body's value, as `c.req.valid('json')` (`{ value }`; undefined when the body is not JSON). */
export const jsonBody = refusalsAsValidationErrors(
  validator('json', (value: unknown, c): { value: unknown } | undefined => (mediaType(c) === 'application/json' ? { value } : undefined)),
);

/** A form post's fields (each of `single` at most once), as `c.req.valid('form')`; undefined when the body is not a form. */
export const formBody = (single: readonly string[]) =>
  refusalsAsValidationErrors(
    validator('form', (form, c): Record<string, unknown> | undefined => (isForm(mediaType(c)) ? formEntries(form, single) : undefined)),
  );

/** What the validators here leave on the request: `undefined` when the body was of the other kind. */
interface ReadBodies {
  json: { value: unknown } | undefined;
  form: Record<string, unknown> | undefined;
}

/** `c.req.valid(target)` as the validators here set it (a plain middleware chain does not carry their types to the handler). */
const validated = <K extends keyof ReadBodies>(c: Context, target: K): ReadBodies[K] =>
  (c.req as unknown as { valid(target: K): ReadBodies[K] }).valid(target);

/** The signup's fields (after `formOrJson`, `jsonBody`, `formBody`), and whether they came as JSON (answered in JSON). */
export function signupBodyOf(c: Context): { fields: unknown; json: boolean } {
  const json = validated(c, 'json');
  return json === undefined ? { fields: validated(c, 'form'), json: false } : { fields: json.value, json: true };
}

/** Reads a POSTed link's form field `token` (given once), unless the query names the token: the body is then not read. */
export const linkTokenField: MiddlewareHandler = async (c, next) => {
  if (c.req.query('token') !== undefined) return next();
  return formBody(['token'])(c, next);
};

/** A link's token for a POST: from the query (the pages' buttons) or the form field (`linkTokenField`). */
export function linkTokenOf(c: Context): string | undefined {
  const token = c.req.query('token');
  if (token !== undefined) return token;
  const field = validated(c, 'form')?.token;
  return typeof field === 'string' ? field : undefined;
}
