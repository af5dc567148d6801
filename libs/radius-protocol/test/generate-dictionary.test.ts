import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DictionaryError,
  GENERATED_FILE,
  OWN_DICTIONARIES,
  RADIUS_DICTIONARIES,
  loadSources,
  parseDictionary,
  renderDictionary,
} from '../scripts/generate-dictionary.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('dictionary generator', () => {
  it('renders the sample dictionary exactly as the golden file', () => {
    const rendered = renderDictionary(parseDictionary(fixture('dictionary.sample'), 'sample'), ['sample']);
    expect(rendered).toBe(fixture('dictionary.sample.golden'));
  });

  it('produced the committed src/generated/dictionary.ts from the current sources', () => {
    const { dictionary, sources } = loadSources(RADIUS_DICTIONARIES, OWN_DICTIONARIES);
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(renderDictionary(dictionary, sources));
  });

  const errors: [string, string][] = [
    ['ATTRIBUTE\tFoo\t300\tstring', 'sample:1: attribute number 300 out of 1..255'],
    ['ATTRIBUTE\tFoo\t3\tfloat', 'sample:1: unknown data type "float"'],
    ['ATTRIBUTE\tFoo\tx\tstring', 'sample:1: attribute number "x" is not a number'],
    ['ATTRIBUTE\tFoo\t3\tstring\tencrypt=9', 'sample:1: unknown flag "encrypt=9"'],
    ['ATTRIBUTE\tFoo\t3\tstring\nATTRIBUTE\tBar\t3\tstring', 'sample:2: Bar (3) clashes with Foo (3)'],
    ['VALUE\tFoo\tOne\t1', 'sample:1: VALUE for unknown attribute "Foo"'],
    ['ATTRIBUTE\tFoo\t3\tstring\nVALUE\tFoo\tOne\t1', 'sample:2: VALUE for non-integer attribute "Foo"'],
    ['BEGIN-VENDOR\tNobody', 'sample:1: BEGIN-VENDOR of undeclared vendor "Nobody"'],
    ['$INCLUDE\tother', 'sample:1: unknown keyword "$INCLUDE"'],
  ];
  it.each(errors)('refuses %j with a located error', (text, message) => {
    expect(() => parseDictionary(text, 'sample')).toThrow(DictionaryError);
    expect(() => parseDictionary(text, 'sample')).toThrow(message);
  });
});
