// Proves the name document of PostgreSQL holds the name and domain words once each and, with a
// country, each word again joined to the country in a lexeme no word can be, and that a query
// with countries asks for exactly those lexemes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { companyNamesTsvector, countryWordLexeme, countryWordsTsquery, searchWords, technologyDocument, technologyToken, textTsvector, unicodeSearchWords, wordCharsMax } from './text.ts';

describe('search words', () => {
  it('cuts ASCII text into the same words as the Unicode definition', () => {
    const asciiChar = fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code));
    const longWord = fc.string({ unit: fc.constantFrom('a', 'B', '7'), minLength: wordCharsMax - 2, maxLength: wordCharsMax + 30 });
    const text = fc.array(fc.oneof(fc.string({ unit: asciiChar, maxLength: 12 }), longWord), { maxLength: 8 }).map((parts) => parts.join(' '));
    fc.assert(
      fc.property(text, (value) => {
        expect(searchWords(value)).toEqual(unicodeSearchWords(value));
      }),
      { numRuns: 2_000 },
    );
  });

  it('folds, lowercases and cuts text beyond ASCII', () => {
    expect(searchWords('Crème Brûlée & CO.')).toEqual(['creme', 'brulee', 'co']);
    expect(searchWords('ÅNGSTRÖM ΣΟΦΙΑ 東京')).toEqual(['angstrom', 'σοφια', '東京']);
    expect(searchWords(`${'x'.repeat(wordCharsMax + 5)}-Y`)).toEqual(['x'.repeat(wordCharsMax), 'y']);
    expect(searchWords(`É${'x'.repeat(wordCharsMax + 5)}`)).toEqual([`e${'x'.repeat(wordCharsMax - 1)}`]);
  });
});

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

describe('technology tokens', () => {
  /** The name a token spells (the inverse of technologyToken): the proof that no two names share one. */
  function nameOf(token: string): string {
    expect(token.startsWith('t')).toBe(true);
    return token.slice(1).replace(/x([0-9a-f]{6})/g, (_escape, hex: string) => String.fromCodePoint(parseInt(hex, 16)));
  }

  it('spells every name, case and all, in lowercase letters and digits that give the name back', () => {
    const name = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: fc.constantFrom('x', 'X', '0', '7', 'a', ' ', '.', '#', 'é'), maxLength: 12 }));
    fc.assert(
      fc.property(name, (value) => {
        const token = technologyToken(value);
        expect(token).toMatch(/^t[a-z0-9]*$/);
        expect(nameOf(token)).toBe(value);
        expect(technologyToken(value)).toBe(token);
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps names that differ only by case, escapes or punctuation apart', () => {
    const names = ['React', 'react', 'REACT', 'x', 'X', 'x000078', 'tx', '', ' ', 'C#', 'C', 'c#', 'Vue.js', 'Vuejs', 'Ünïcode', 'Unicode'];
    const tokens = names.map(technologyToken);
    expect(new Set(tokens).size).toBe(names.length);
    expect(technologyDocument(['React', 'Go'])).toBe(`${technologyToken('React')} ${technologyToken('Go')}`);
    expect(technologyDocument([])).toBe('');
  });
});
