import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.js';
import { maskEmail, parseSignupInput } from '../../../functions/core/validation.js';

function rejection(input: unknown): ValidationError {
  try {
    parseSignupInput(input);
  } catch (e: unknown) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

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

  // 52 letters as a reader sees them, each a consonant with a combining vowel sign or virama: over 100
  // code points, within the 100-character limit.
  it.each([
    ['Devanagari', 'कि'.repeat(26) + 'सु'.repeat(26)],
    ['Tamil', 'கொ'.repeat(52)],
    ['Bengali', 'কি'.repeat(52)],
    ['Latin with combining accents', 'e\u0301'.repeat(52)],
    ['emoji ZWJ families', '👩‍👩‍👧‍👦'.repeat(20)],
  ])('accepts a %s name counted in grapheme clusters, not code points', (_script, name) => {
    expect([...name].length).toBeGreaterThan(100);
    expect(parseSignupInput({ email: 'a@example.com', name }).name).toBe(name);
  });

  it.each([
    ['Devanagari', 'कि'.repeat(101)],
    ['Tamil', 'கொ'.repeat(101)],
    ['Latin', 'a'.repeat(101)],
  ])('refuses a %s name of 101 characters with the 100-character message', (_script, name) => {
    expect(rejection({ email: 'a@example.com', name })).toMatchObject({
      code: 'invalid_name',
      field: 'name',
      message: 'Please keep the name to 100 characters or fewer.',
    });
  });

  it('refuses a short name stacked with combining marks, without claiming it is over 100 characters', () => {
    const name = `Z${'\u0301'.repeat(500)}alg${'\u0300'.repeat(10)}o`;
    const e = rejection({ email: 'a@example.com', name });
    expect(e).toMatchObject({ code: 'invalid_name', field: 'name' });
    expect(e.message).not.toContain('100');
  });

  it.each([
    ['RLO', '\u202e'],
    ['LRO', '\u202d'],
    ['RLE', '\u202b'],
    ['LRE', '\u202a'],
    ['PDF', '\u202c'],
    ['RLI', '\u2067'],
    ['LRI', '\u2066'],
    ['FSI', '\u2068'],
    ['PDI', '\u2069'],
    ['LRM', '\u200e'],
    ['RLM', '\u200f'],
    ['ALM', '\u061c'],
  ])('removes the bidirectional control %s from a name', (_label, control) => {
    expect(parseSignupInput({ email: 'a@example.com', name: `${control}Ann${control}e ` }).name).toBe('Anne');
    // A name of nothing but controls is no name.
    expect(parseSignupInput({ email: 'a@example.com', name: control.repeat(3) })).not.toHaveProperty('name');
  });

  it('keeps a right-to-left name, which needs no control characters', () => {
    expect(parseSignupInput({ email: 'a@example.com', name: 'שרה' }).name).toBe('שרה');
    expect(parseSignupInput({ email: 'a@example.com', name: '\u202bمحمد\u202c' }).name).toBe('محمد');
  });

  it('canonicalises the time zone and drops an empty one', () => {
    expect(parseSignupInput({ email: 'a@example.com', timezone: 'america/new_york' }).timezone).toBe('America/New_York');
    expect(parseSignupInput({ email: 'a@example.com', timezone: ' Asia/Kathmandu ' }).timezone).toBe('Asia/Kathmandu');
    expect(parseSignupInput({ email: 'a@example.com', timezone: 'Europe/Paris' }).timezone).toBe('Europe/Paris');
    expect(parseSignupInput({ email: 'a@example.com', timezone: '' })).not.toHaveProperty('timezone');
  });

  it.each(['+05:30', 'GMT+5:30', 'not a zone', '<script>', 'Europe/', '/Europe', 'Europe//Paris', 'a'.repeat(65), `Etc/${'x'.repeat(61)}`])(
    'rejects the malformed time zone %s',
    (timezone) => {
      expect(rejection({ email: 'a@example.com', timezone })).toMatchObject({ code: 'invalid_timezone', field: 'timezone' });
    },
  );

  it('returns the honeypot untouched for the caller to check', () => {
    expect(parseSignupInput({ email: 'a@example.com', website: ' http://spam.example ' }).website).toBe(' http://spam.example ');
  });

  it('ignores unknown fields', () => {
    expect(parseSignupInput({ email: 'a@example.com', admin: true, status: 'active', __proto__: { x: 1 } })).toEqual({
      email: 'a@example.com',
    });
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

describe('time zones a browser may report', () => {
  it.each(['Etc/Unknown', 'Mars/Olympus', 'America/Nowhere_City', 'Factory/Zone-2', 'Etc/GMT+15'])(
    'a well-formed zone nobody knows (%s) is no error: the course zone applies and the name is kept as a record',
    (timezone) => {
      const parsed = parseSignupInput({ email: 'a@example.com', timezone });
      expect(parsed).not.toHaveProperty('timezone');
      expect(parsed.unknownTimezone).toBe(timezone);
    },
  );

  it.each([
    ['US/Eastern', 'US/Eastern'],
    ['Asia/Calcutta', 'Asia/Calcutta'],
    ['Europe/Kiev', 'Europe/Kiev'],
    ['GB', 'GB'],
    ['UTC', 'UTC'],
    ['Etc/GMT-14', 'Etc/GMT-14'],
    ['America/Argentina/ComodRivadavia', 'America/Argentina/ComodRivadavia'],
  ])('the legacy or unusual name %s keeps working', (timezone, expected) => {
    const parsed = parseSignupInput({ email: 'a@example.com', timezone });
    expect(parsed.timezone?.toLowerCase()).toBe(expected.toLowerCase());
    expect(parsed).not.toHaveProperty('unknownTimezone');
  });

  it('a zone with a control character is still refused as one', () => {
    expect(rejection({ email: 'a@example.com', timezone: 'Etc/Unknown\u0000' })).toMatchObject({
      code: 'control_characters',
      field: 'timezone',
    });
  });
});

describe('internationalised domains', () => {
  it.each([
    ['anna@bücher.example', 'anna@xn--bcher-kva.example'],
    ['Anna@BÜCHER.de', 'anna@xn--bcher-kva.de'],
    ['jo@münchen.de', 'jo@xn--mnchen-3ya.de'],
    ['x@例え.テスト', 'x@xn--r8jz45g.xn--zckzah'],
    ['x@παράδειγμα.δοκιμή', 'x@xn--hxajbheg2az3al.xn--jxalpdlp'],
    ['x@пример.рф', 'x@xn--e1afmkfd.xn--p1ai'],
    ['x@ｅｘａｍｐｌｅ.com', 'x@example.com'],
    ['anna@xn--bcher-kva.example', 'anna@xn--bcher-kva.example'],
  ])('%s is kept in its ASCII form %s', (email, ascii) => {
    expect(parseSignupInput({ email }).email).toBe(ascii);
  });

  it.each(['a@bü\u00adcher..example', 'a@xn--zz.example', 'a@bücher-.example', 'a@-bücher.example', 'a@ü'])(
    'a domain with no valid ASCII form (%s) is refused with a clear error',
    (email) => {
      const e = rejection({ email });
      expect(e).toMatchObject({ code: 'invalid_email', field: 'email' });
    },
  );

  it.each(['ünal@example.com', 'josé@bücher.example', '用户@例え.テスト'])(
    'a local part SES cannot send to is refused, saying why: %s',
    (email) => {
      expect(rejection({ email })).toMatchObject({
        code: 'invalid_email',
        field: 'email',
        message: expect.stringContaining('before the @'),
      });
    },
  );
});

describe('names that read as links or addresses', () => {
  it.each([
    'Hi Win a prize at http://x.example',
    'https://bit.ly/abc',
    'www.prize',
    'WWW.PRIZE.EXAMPLE',
    'prize.com',
    'visit bit.ly/abc',
    'buy-now.shop',
    'win.example.co.uk',
    'mail me: a@b.co',
    'Ann @home',
    'sale.рф',
    'hxxp://evil',
  ])('refuses %s with a clear field error', (name) => {
    expect(rejection({ email: 'a@example.com', name })).toMatchObject({
      code: 'invalid_name',
      field: 'name',
      message: expect.stringContaining('first name'),
    });
  });

  it.each(['Ann', 'Mary-Ann', 'J.R.R. Tolkien', 'St.John', 'Dr. Who', "O'Brien", 'Zoë', '李', 'José María', 'Anne.Marie'])(
    'accepts the name %s',
    (name) => {
      expect(parseSignupInput({ email: 'a@example.com', name }).name).toBe(name);
    },
  );
});
