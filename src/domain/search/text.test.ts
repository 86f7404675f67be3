// Proves the name document of PostgreSQL holds the name and domain words, each once, and the
// country as a lexeme no word can be, and that a countries query matches exactly that lexeme.
import { describe, expect, it } from 'vitest';
import { companyNamesTsvector, countriesTsquery, countryLexeme, searchWords, textTsvector } from './text.ts';

describe('name documents', () => {
  it('holds the name and domain words once each, then the country', () => {
    expect(companyNamesTsvector({ name: 'Müller & Söhne', domain: 'mueller.de', country: 'DE' })).toBe(
      "'muller' 'sohne' 'mueller' 'de' 'country_de'",
    );
    expect(companyNamesTsvector({ name: 'Acme', domain: 'acme.com', country: null })).toBe("'acme' 'com'");
    expect(companyNamesTsvector({ name: '&', domain: null, country: 'US' })).toBe("'country_us'");
  });

  it('writes a text document as its distinct words', () => {
    expect(textTsvector('Hiring: 12 engineers, hiring fast')).toBe("'hiring' '12' 'engineers' 'fast'");
    expect(textTsvector(null)).toBe('');
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
