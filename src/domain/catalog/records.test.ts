// Proves the deliverability rule: a contact costs a credit only if it has an email or a phone.
import { describe, expect, it } from 'vitest';
import { contactIsDeliverable } from './records.ts';

describe('contactIsDeliverable', () => {
  it('is true with an email, a phone or both', () => {
    expect(contactIsDeliverable({ email: 'ada@example.com', phone: null })).toBe(true);
    expect(contactIsDeliverable({ email: null, phone: '+44 20 7946 0000' })).toBe(true);
    expect(contactIsDeliverable({ email: 'ada@example.com', phone: '+44 20 7946 0000' })).toBe(true);
  });

  it('is false with neither, blank text counting as none', () => {
    expect(contactIsDeliverable({ email: null, phone: null })).toBe(false);
    expect(contactIsDeliverable({ email: '', phone: '  ' })).toBe(false);
  });
});
