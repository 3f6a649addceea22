/** `pnpm config:docs`: writes `.env.example` and the README's configuration table from the schema in config.ts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { envExample, withConfigTable } from '../config-docs.js';

// dist/cli/ and src/cli/ are both two levels under the package.
const envExampleFile = new URL('../../../../.env.example', import.meta.url);
const readmeFile = new URL('../../README.md', import.meta.url);

writeFileSync(envExampleFile, envExample());
writeFileSync(readmeFile, withConfigTable(readFileSync(readmeFile, 'utf8')));
process.stdout.write('wrote .env.example and the configuration table of packages/http-fastify/README.md\n');
