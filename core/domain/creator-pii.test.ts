import { describe, expect, it } from 'vitest';
import { redactCreatorPii } from './creator-pii.ts';

describe('redactCreatorPii', () => {
  it('drops street, postcode, coordinates, label name, email and phone; keeps city, region, country and DM', () => {
    const c = {
      id: 'CRT-000001',
      contact: { email: 'ava@x.io', phone: '+1 555 0100', dm: '@ava' },
      addresses: [
        {
          name: 'Ava Lee',
          line1: '1 Main St',
          line2: 'Apt 2',
          city: 'Austin',
          region: 'TX',
          postalCode: '78701',
          country: 'US',
          lat: 30.26715,
          lon: -97.74306,
        },
      ],
    };
    expect(redactCreatorPii(c)).toEqual({
      id: 'CRT-000001',
      contact: { dm: '@ava' },
      addresses: [{ line1: '[redacted]', city: 'Austin', region: 'TX', postalCode: '[redacted]', country: 'US' }],
      piiRedacted: true,
    });
    expect(JSON.stringify(redactCreatorPii(c))).not.toMatch(/Main St|78701|555|ava@x|30\.26|97\.74/);
  });
});
