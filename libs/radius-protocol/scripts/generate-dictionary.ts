/**
 * Generates src/generated/dictionary.ts from FreeRADIUS-format dictionary files: the RFC files shipped
 * with the `radius` npm package plus ours in ../dictionaries (RFC 6911, Microsoft vendor 311 from RFC 2548).
 * Run: npx node libs/radius-protocol/scripts/generate-dictionary.ts   (Node 24 strips the types)
 * Self-contained (node: imports only) so Node can run it without a build step.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// Type-only: erased when Node runs this file, so no build is needed.
import type { DataType } from '../src/dictionary-types.js';

const DATA_TYPES: ReadonlySet<string> = new Set<DataType>([
  'string', 'octets', 'integer', 'ipaddr', 'ipv6addr', 'ipv6prefix', 'ifid', 'integer64', 'date', 'short', 'byte', 'extended', 'long-extended',
]);

export interface DictionaryAttribute {
  name: string;
  code: number;
  type: DataType;
  /** 0 for standard attributes */
  vendorId: number;
  hasTag: boolean;
  /** 0 none, 1 User-Password (RFC 2865 §5.2), 2 Tunnel-Password salt (RFC 2868 §3.5) */
  encrypt: number;
  values: { name: string; value: number }[];
}

export interface Dictionary {
  attributes: DictionaryAttribute[];
  vendors: { name: string; id: number }[];
}

/** A dictionary line the generator refuses, with file and line so the author can fix it. */
export class DictionaryError extends Error {
  readonly code = 'dictionary_error';
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'DictionaryError';
    this.file = file;
    this.line = line;
  }
}

function parseNumber(text: string | undefined, file: string, line: number, what: string): number {
  if (text === undefined || !/^(0x[0-9a-f]+|[0-9]+)$/i.test(text)) throw new DictionaryError(file, line, `${what} "${text ?? ''}" is not a number`);
  return Number(text);
}

/** Adds the definitions of one dictionary file to `into`. */
export function parseDictionary(text: string, file: string, into: Dictionary = { attributes: [], vendors: [] }): Dictionary {
  let vendorId = 0;
  const pendingValues: { attribute: string; name: string; value: number; line: number }[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const content = lines[index]!.replace(/#.*$/, '').trim();
    if (content === '') continue;
    const fields = content.split(/\s+/);
    const keyword = fields[0]!;
    if (keyword === 'ATTRIBUTE') {
      const [, name, codeText, typeText, flagsText] = fields;
      if (name === undefined || typeText === undefined) throw new DictionaryError(file, lineNumber, 'ATTRIBUTE needs a name, a number and a type');
      const code = parseNumber(codeText, file, lineNumber, 'attribute number');
      if (code < 1 || code > 255) throw new DictionaryError(file, lineNumber, `attribute number ${code} out of 1..255`);
      if (!DATA_TYPES.has(typeText)) throw new DictionaryError(file, lineNumber, `unknown data type "${typeText}"`);
      let hasTag = false;
      let encrypt = 0;
      for (const flag of (flagsText ?? '').split(',').filter((f) => f !== '')) {
        if (flag === 'has_tag') hasTag = true;
        else if (/^encrypt=[123]$/.test(flag)) encrypt = Number(flag.slice('encrypt='.length));
        else throw new DictionaryError(file, lineNumber, `unknown flag "${flag}"`);
      }
      const clash = into.attributes.find((a) => a.vendorId === vendorId && (a.code === code || a.name === name));
      if (clash !== undefined) throw new DictionaryError(file, lineNumber, `${name} (${code}) clashes with ${clash.name} (${clash.code})`);
      into.attributes.push({ name, code, type: typeText as DataType, vendorId, hasTag, encrypt, values: [] });
    } else if (keyword === 'VALUE') {
      const [, attribute, name, valueText] = fields;
      if (attribute === undefined || name === undefined) throw new DictionaryError(file, lineNumber, 'VALUE needs an attribute, a name and a number');
      pendingValues.push({ attribute, name, value: parseNumber(valueText, file, lineNumber, 'value'), line: lineNumber });
    } else if (keyword === 'VENDOR') {
      const [, name, idText] = fields;
      if (name === undefined) throw new DictionaryError(file, lineNumber, 'VENDOR needs a name and a number');
      into.vendors.push({ name, id: parseNumber(idText, file, lineNumber, 'vendor id') });
    } else if (keyword === 'BEGIN-VENDOR') {
      const vendor = into.vendors.find((v) => v.name === fields[1]);
      if (vendor === undefined) throw new DictionaryError(file, lineNumber, `BEGIN-VENDOR of undeclared vendor "${fields[1] ?? ''}"`);
      vendorId = vendor.id;
    } else if (keyword === 'END-VENDOR') {
      vendorId = 0;
    } else {
      throw new DictionaryError(file, lineNumber, `unknown keyword "${keyword}"`);
    }
  }
  // VALUE lines may precede or follow their ATTRIBUTE within a file; names are looked up across everything parsed so far.
  for (const pending of pendingValues) {
    const attribute = into.attributes.find((a) => a.name === pending.attribute);
    if (attribute === undefined) throw new DictionaryError(file, pending.line, `VALUE for unknown attribute "${pending.attribute}"`);
    if (attribute.type !== 'integer' && attribute.type !== 'short' && attribute.type !== 'byte') {
      throw new DictionaryError(file, pending.line, `VALUE for non-integer attribute "${pending.attribute}"`);
    }
    if (!attribute.values.some((v) => v.name === pending.name)) attribute.values.push({ name: pending.name, value: pending.value });
  }
  return into;
}

/** "NAS-IP-Address" -> "NASIPAddress": the key a reader finds in `Attr`. */
export function identifierFor(name: string): string {
  const identifier = name.replace(/[^A-Za-z0-9]/g, '');
  return /^[0-9]/.test(identifier) ? `_${identifier}` : identifier;
}

function constObject(name: string, doc: string, entries: [string, number][]): string {
  const body = entries.map(([key, value]) => `  ${key}: ${value},`).join('\n');
  return `/** ${doc} */\nexport const ${name} = {\n${body}\n} as const;\n`;
}

/** Renders the TypeScript module; deterministic, so the golden test can compare bytes. */
export function renderDictionary(dictionary: Dictionary, sources: readonly string[]): string {
  const byCode = (a: DictionaryAttribute, b: DictionaryAttribute): number => a.vendorId - b.vendorId || a.code - b.code;
  const attributes = [...dictionary.attributes].sort(byCode);
  const standard = attributes.filter((a) => a.vendorId === 0);
  let out = `// generated by libs/radius-protocol/scripts/generate-dictionary.ts; do not edit.\n// Sources: ${sources.join(', ')}\n\n`;
  out += `import type { AttributeDefinition } from '../dictionary-types.js';\n\n`;
  out += constObject('Attr', 'Standard attribute types (vendor 0) of the dictionaries listed above.', standard.map((a) => [identifierFor(a.name), a.code]));
  out += '\n';
  out += constObject('Vendor', 'Vendor ids (SMI Network Management Private Enterprise Codes).', dictionary.vendors.map((v) => [identifierFor(v.name), v.id]));
  for (const vendor of dictionary.vendors) {
    const own = attributes.filter((a) => a.vendorId === vendor.id);
    out += '\n';
    out += constObject(`${identifierFor(vendor.name)}Attr`, `Vendor-Specific sub-attribute types of vendor ${vendor.id} (${vendor.name}).`, own.map((a) => [identifierFor(a.name), a.code]));
  }
  const definition = (a: DictionaryAttribute): string => {
    const values = a.values.length === 0 ? '' : `, values: { ${a.values.map((v) => `${JSON.stringify(v.name)}: ${v.value}`).join(', ')} }`;
    return `{ name: ${JSON.stringify(a.name)}, code: ${a.code}, vendorId: ${a.vendorId}, type: '${a.type}', hasTag: ${a.hasTag}, encrypt: ${a.encrypt}${values} }`;
  };
  out += `\n/** Every attribute definition, standard (vendorId 0) and vendor, ordered by vendor then code. */\n`;
  out += `export const attributeDefinitions: readonly AttributeDefinition[] = [\n${attributes.map((a) => `  ${definition(a)},`).join('\n')}\n];\n`;
  return out;
}

/** Reads every dictionary file of the `radius` package and ours, in a stable order. */
export function loadSources(radiusDictionaries: string, ownDictionaries: string): { dictionary: Dictionary; sources: string[] } {
  const dictionary: Dictionary = { attributes: [], vendors: [] };
  const sources: string[] = [];
  for (const [directory, label] of [
    [radiusDictionaries, 'node_modules/radius/dictionaries'],
    [ownDictionaries, 'libs/radius-protocol/dictionaries'],
  ] as const) {
    const files = readdirSync(directory).filter((f) => f.startsWith('dictionary.')).sort();
    for (const file of files) {
      parseDictionary(readFileSync(join(directory, file), 'utf8'), `${label}/${file}`, dictionary);
      sources.push(`${label}/${file}`);
    }
  }
  return { dictionary, sources };
}

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const RADIUS_DICTIONARIES = resolve(packageRoot, '../../node_modules/radius/dictionaries');
export const OWN_DICTIONARIES = resolve(packageRoot, 'dictionaries');
export const GENERATED_FILE = resolve(packageRoot, 'src/generated/dictionary.ts');

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { dictionary, sources } = loadSources(RADIUS_DICTIONARIES, OWN_DICTIONARIES);
  writeFileSync(GENERATED_FILE, renderDictionary(dictionary, sources));
  console.log(`wrote ${GENERATED_FILE}: ${dictionary.attributes.length} attributes`);
}
