import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.js';
import { isValidEmail, maskEmail, normaliseEmail, parseSignupInput } from '../../../functions/core/validation.js';

function rejection(input: unknown): ValidationError {
  try {
    parseSignupInput(input);
  } catch (e: unknown) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe('normaliseEmail', () => {
  it('trims and lower-cases', () => {
    expect(normaliseEmail('  Alice.Smith@Example.COM \t')).toBe('alice.smith@example.com');
  });
});

describe('email syntax', () => {
  it.each([
    'a@example.com',
    'alice+course@example.com',
    'alice.smith@mail.example.co.uk',
    "o'brien@example.ie",
    'first_last-1@sub-domain.example.org',
    'x@xn--bcher-kva.example',
    'user@example.xn--p1ai',
    '1234567890@example.com',
    `${'a'.repeat(64)}@example.com`,
  ])('accepts %s', (email) => {
    expect(isValidEmail(email)).toBe(true);
  });

  it.each([
    ['no @', 'alice.example.com'],
    ['two @', 'a@b@example.com'],
    ['no dot in the domain', 'a@b'],
    ['empty local part', '@example.com'],
    ['empty domain', 'alice@'],
    ['space inside', 'ali ce@example.com'],
    ['leading dot', '.alice@example.com'],
    ['trailing dot in the local part', 'alice.@example.com'],
    ['double dot', 'al..ice@example.com'],
    ['domain starting with a dot', 'alice@.example.com'],
    ['empty domain label', 'alice@example..com'],
    ['label starting with a hyphen', 'alice@-example.com'],
    ['label ending with a hyphen', 'alice@example-.com'],
    ['one-letter top-level domain', 'alice@example.c'],
    ['numeric top-level domain', 'alice@127.0.0.1'],
    ['address literal', 'alice@[127.0.0.1]'],
    ['quoted local part', '"alice smith"@example.com'],
    ['angle brackets', '<alice@example.com>'],
    ['display name', 'Alice <alice@example.com>'],
    ['comma list', 'a@example.com,b@example.com'],
    ['semicolon', 'a@example.com;b@example.com'],
    ['non-ASCII local part', 'zoë@example.com'],
    ['non-ASCII domain', 'a@exämple.com'],
    ['local part over 64', `${'a'.repeat(65)}@example.com`],
    ['label over 63', `a@${'b'.repeat(64)}.com`],
  ])('rejects %s', (_why, email) => {
    expect(isValidEmail(email)).toBe(false);
  });
});

describe('parseSignupInput', () => {
  it('normalises the address and keeps the optional fields', () => {
    expect(parseSignupInput({ email: '  Alice+Course@Example.COM ', name: '  Alice  ', timezone: 'Europe/Paris', website: '' })).toEqual({
      email: 'alice+course@example.com',
      name: 'Alice',
      timezone: 'Europe/Paris',
      website: '',
    });
  });

  it('needs only the address', () => {
    expect(parseSignupInput({ email: 'a@example.com' })).toEqual({ email: 'a@example.com' });
  });

  it.each(['Zoë', 'José', '李', 'Åsa-Lena', "O'Brien", 'Nguyễn Thị', 'محمد', '🙂'])('keeps the name %s as typed', (name) => {
    expect(parseSignupInput({ email: 'a@example.com', name }).name).toBe(name);
  });

  it('drops an empty or blank name', () => {
    expect(parseSignupInput({ email: 'a@example.com', name: '' })).not.toHaveProperty('name');
    expect(parseSignupInput({ email: 'a@example.com', name: '   ' })).not.toHaveProperty('name');
  });

  it('accepts a name of 100 characters, counted as a person counts them', () => {
    expect(parseSignupInput({ email: 'a@example.com', name: 'a'.repeat(100) }).name).toHaveLength(100);
    expect(parseSignupInput({ email: 'a@example.com', name: '李'.repeat(100) }).name).toBe('李'.repeat(100));
    expect([...parseSignupInput({ email: 'a@example.com', name: '🙂'.repeat(100) }).name!]).toHaveLength(100);
  });

  it('rejects a name over 100 characters', () => {
    const e = rejection({ email: 'a@example.com', name: 'a'.repeat(101) });
    expect(e).toMatchObject({ code: 'invalid_name', field: 'name', status: 400 });
  });

  it('canonicalises the time zone and drops an empty one', () => {
    expect(parseSignupInput({ email: 'a@example.com', timezone: 'america/new_york' }).timezone).toBe('America/New_York');
    expect(parseSignupInput({ email: 'a@example.com', timezone: ' Asia/Kathmandu ' }).timezone).toBe('Asia/Kathmandu');
    expect(parseSignupInput({ email: 'a@example.com', timezone: 'Europe/Paris' }).timezone).toBe('Europe/Paris');
    expect(parseSignupInput({ email: 'a@example.com', timezone: '' })).not.toHaveProperty('timezone');
  });

  it.each(['Mars/Olympus', '+05:30', 'GMT+5:30', 'not a zone', '<script>'])('rejects the time zone %s', (timezone) => {
    expect(rejection({ email: 'a@example.com', timezone })).toMatchObject({ code: 'invalid_timezone', field: 'timezone' });
  });

  it('returns the honeypot untouched for the caller to check', () => {
    expect(parseSignupInput({ email: 'a@example.com', website: ' http://spam.example ' }).website).toBe(' http://spam.example ');
  });

  it('ignores unknown fields', () => {
    expect(parseSignupInput({ email: 'a@example.com', admin: true, status: 'active', __proto__: { x: 1 } })).toEqual({ email: 'a@example.com' });
  });

  it('treats null fields as absent', () => {
    expect(parseSignupInput({ email: 'a@example.com', name: null, timezone: null })).toEqual({ email: 'a@example.com' });
  });

  it.each([
    ['missing', {}],
    ['empty', { email: '' }],
    ['blank', { email: '   ' }],
    ['without a dot in the domain', { email: 'a@b' }],
    ['without @', { email: 'alice' }],
    ['with a space', { email: 'a b@example.com' }],
    ['two addresses', { email: 'a@example.com, b@example.com' }],
  ])('rejects an address %s as invalid_email', (_why, input) => {
    expect(rejection(input)).toMatchObject({ code: 'invalid_email', field: 'email', status: 400 });
  });

  it('accepts a 254-character address and rejects a 255-character one', () => {
    const domain = `${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.${'g'.repeat(60)}.com`; // 247 chars
    const at254 = `${'a'.repeat(254 - domain.length - 1)}@${domain}`;
    expect(at254).toHaveLength(254);
    expect(parseSignupInput({ email: at254 }).email).toBe(at254);
    const at255 = `${'a'.repeat(255 - domain.length - 1)}@${domain}`;
    expect(rejection({ email: at255 })).toMatchObject({ code: 'invalid_email', field: 'email' });
  });

  it.each([
    ['email', { email: 'a@example.com\r\nBcc: victim@example.org' }],
    ['email', { email: 'a@example.com\n' }],
    ['email', { email: 'a@exa\u0000mple.com' }],
    ['name', { email: 'a@example.com', name: 'Alice\r\nSubject: spam' }],
    ['name', { email: 'a@example.com', name: 'Ali\tce' }],
    ['name', { email: 'a@example.com', name: 'Alice\u0085' }],
    ['name', { email: 'a@example.com', name: 'Alice\u2028Bob' }],
    ['name', { email: 'a@example.com', name: '\u007f' }],
    ['timezone', { email: 'a@example.com', timezone: 'Europe/Paris\n' }],
  ])('rejects a control character in %s', (field, input) => {
    expect(rejection(input)).toMatchObject({ code: 'control_characters', field, status: 400 });
  });

  it.each([
    ['email', { email: 42 }],
    ['email', { email: ['a@example.com', 'b@example.com'] }],
    ['email', { email: { $ne: '' } }],
    ['name', { email: 'a@example.com', name: 7 }],
    ['name', { email: 'a@example.com', name: ['Al', 'ice'] }],
    ['timezone', { email: 'a@example.com', timezone: false }],
    ['website', { email: 'a@example.com', website: { url: 'x' } }],
  ])('rejects a non-text %s as invalid_%s', (field, input) => {
    expect(rejection(input)).toMatchObject({ code: `invalid_${field}`, field });
  });

  it.each([null, undefined, 'a@example.com', 42, [], [{ email: 'a@example.com' }]])('rejects a body that is not an object: %j', (input) => {
    expect(rejection(input)).toMatchObject({ code: 'invalid_input' });
  });

  it('checks control characters before anything else, so the error names the attack', () => {
    expect(rejection({ email: 'not-an-address\r\n', name: 'x'.repeat(500) })).toMatchObject({ code: 'control_characters', field: 'email' });
  });
});

describe('maskEmail', () => {
  it.each([
    ['alice@example.com', 'a***@example.com'],
    ['a@example.com', 'a***@example.com'],
    ['alice+course@mail.example.org', 'a***@mail.example.org'],
    ['nobody', '***'],
    ['@example.com', '***'],
  ])('%s → %s', (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });
});
