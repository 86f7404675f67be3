// Proves the name document of PostgreSQL holds the name and domain words once each and, with a
// country, each word again joined to the country in a lexeme no word can be, and that a query
// with countries asks for exactly those lexemes.
import { describe, expect, it } from 'vitest';
import { companyNamesTsvector, countryWordLexeme, countryWordsTsquery, searchWords, textTsvector } from './text.ts';

describe('name documents', () => {
  it('holds the name and domain words once each, then each again with the country', () => {
    expect(companyNamesTsvector({ name: 'Müller & Söhne', domain: 'mueller.de', country: 'DE' })).toBe(
      "'muller' 'sohne' 'mueller' 'de' '_de_muller' '_de_sohne' '_de_mueller' '_de_de'",
    );
    expect(companyNamesTsvector({ name: 'Acme acme', domain: 'acme.com', country: null })).toBe("'acme' 'com'");
    expect(companyNamesTsvector({ name: '&', domain: null, country: 'US' })).toBe('');
  });

  it('writes a text document as its distinct words', () => {
    expect(textTsvector('Hiring: 12 engineers, hiring fast')).toBe("'hiring' '12' 'engineers' 'fast'");
    expect(textTsvector(null)).toBe('');
  });

  it('keeps the country word lexemes apart from every word and every word prefix', () => {
    // Words are letters and digits only: the underscore never survives word cutting, and no
    // word (so no prefix query) starts with one.
    expect(searchWords(countryWordLexeme('DE', 'acme'))).toEqual(['de', 'acme']);
    expect(countryWordLexeme('DE', 'acme')).toBe('_de_acme');
    expect(searchWords('_de_acme _it')).toEqual(['de', 'acme', 'it']);
  });

  it('asks for every word as a prefix in any of the countries', () => {
    expect(countryWordsTsquery(['acme', 'gr'], ['US', 'GB'])).toBe("('_us_acme':* | '_gb_acme':*) & ('_us_gr':* | '_gb_gr':*)");
  });
});
