import Type, { type TSchema } from 'typebox';
import { ENV } from './config.js';

/**
 * `.env.example` and the README's configuration table, written from the schema in config.ts so
 * they cannot drift from it: `pnpm config:docs` writes them, a test compares.
 */

interface Declaration {
  readonly section?: string;
  readonly description?: string;
  readonly default?: string | number | boolean | readonly string[];
  readonly examples?: readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly enum?: readonly string[];
  readonly errorMessage?: string;
}

const declarations = () => Object.entries(ENV) as [string, TSchema & Declaration][];

/** The default as it is written in `.env` ('' when there is none). */
function defaultText(schema: Declaration): string {
  const value = schema.default;
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** The values a declaration takes, when they fit in a few words. */
function allowed(schema: TSchema & Declaration, separator: string): string {
  const { minimum, maximum, enum: values, errorMessage } = schema;
  if (Type.IsInteger(schema)) return `${minimum}–${maximum}`;
  if (Type.IsBoolean(schema)) return ['true', 'false'].join(separator);
  if (values !== undefined) return values.join(separator);
  // 'must be 1 to 128 visible ASCII characters' → '1 to 128 visible ASCII characters'
  return errorMessage?.replace(/^must (be )?/, '') ?? '';
}

export function envExample(): string {
  const lines = [
    '# Banking API configuration: every variable the API reads, with its default. Copy to .env and',
    '# adjust; variables set in the environment win over .env. An empty value is an unset one.',
    '# Generated from packages/http-fastify/src/config.ts by `pnpm config:docs`: edit that schema, not this file.',
  ];
  let section: string | undefined;
  for (const [name, schema] of declarations()) {
    if (schema.section !== section) {
      section = schema.section;
      lines.push('', `# ── ${section} ──`);
    }
    const values = allowed(schema, ' | ');
    lines.push(`# ${schema.description}${values === '' ? '' : ` (${values})`}`);
    for (const example of schema.examples ?? []) lines.push(`# e.g. ${name}=${example}`);
    lines.push(`${name}=${defaultText(schema)}`);
  }
  return `${lines.join('\n')}\n`;
}

export const TABLE_START = '<!-- configuration table: generated from src/config.ts by `pnpm config:docs`; edit the schema, not the table -->';
export const TABLE_END = '<!-- end of the configuration table -->';

export function configTable(): string {
  const rows = declarations().map(([name, schema]) => {
    const fallback = defaultText(schema);
    const cells = [`\`${name}\``, fallback === '' ? '—' : `\`${fallback}\``, allowed(schema, ', '), schema.description ?? ''];
    return `| ${cells.join(' | ')} |`;
  });
  return ['| variable | default | values | |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The README with its configuration table (between the two markers) replaced by the generated one. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end < start) throw new Error(`the README has no configuration table markers (${TABLE_START} … ${TABLE_END})`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${configTable()}\n${readme.slice(end)}`;
}
