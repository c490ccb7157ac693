import { describe, expect, it } from 'vitest';
import { mailboxKey } from '../../../functions/core/mailbox.js';
import { addressLockKeys, keys } from '../../../functions/adapters/table.js';

describe('mailboxKey', () => {
  it.each([
    ['ann@gmail.com', 'ann@gmail.com'],
    ['a.n.n@gmail.com', 'ann@gmail.com'],
    ['ann+course@gmail.com', 'ann@gmail.com'],
    ['A.Nn+x+y@GoogleMail.com', 'ann@gmail.com'],
    ['ann@googlemail.com', 'ann@gmail.com'],
    ['ann+@gmail.com', 'ann@gmail.com'],
    ['ann+news@example.org', 'ann@example.org'],
    ['Ann@Example.org', 'ann@example.org'],
  ])('%s → %s', (email, key) => {
    expect(mailboxKey(email)).toBe(key);
  });

  it.each([
    // Dots matter outside Gmail; a leading + is the whole local part, not a tag.
    ['a.nn@example.org', 'a.nn@example.org'],
    ['+44@example.org', '+44@example.org'],
    ['ann@mail.gmail.com', 'ann@mail.gmail.com'],
    ['ann@xn--bcher-kva.example', 'ann@xn--bcher-kva.example'],
  ])('keeps what is a different mailbox apart: %s → %s', (email, key) => {
    expect(mailboxKey(email)).toBe(key);
  });
});

describe('addressLockKeys', () => {
  it('looks under the mailbox first, then under the address as typed (locks from before mailbox keys)', () => {
    expect(addressLockKeys('c', 'a.nn+x@gmail.com')).toEqual([keys.address('c', 'ann@gmail.com'), keys.address('c', 'a.nn+x@gmail.com')]);
  });
  it('is one key when the two are the same', () => {
    expect(addressLockKeys('c', 'ann@example.org')).toEqual([keys.address('c', 'ann@example.org')]);
  });
});
