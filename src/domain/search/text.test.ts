// Proves the name document of PostgreSQL holds the name and domain words, weighted, and the
// country as a lexeme no word can be, and that a countries query matches exactly that lexeme.
import { describe, expect, it } from 'vitest';
import { companyNamesTsvector, countriesTsquery, countryLexeme, searchWords } from './text.ts';

describe('name documents', () => {
  it('weighs name words A and domain words B, then adds the country', () => {
    expect(companyNamesTsvector({ name: 'Müller & Söhne', domain: 'mueller.de', country: 'DE' })).toBe(
      "'muller':1A 'sohne':2A 'mueller':3B 'de':4B 'country_de'",
    );
    expect(companyNamesTsvector({ name: 'Acme', domain: null, country: null })).toBe("'acme':1A");
  });

  it('keeps the country lexeme apart from every word', () => {
    // Words are letters and digits only: the underscore never survives word cutting.
    expect(searchWords(countryLexeme('DE'))).toEqual(['country', 'de']);
    expect(countryLexeme('DE')).toBe('country_de');
  });

  it('asks for any of the countries', () => {
    expect(countriesTsquery(['US', 'GB'])).toBe("('country_us' | 'country_gb')");
  });
});
