// `npm run token -- --person officer.jones --name "Sam Jones" --roles case-officer,manager`
// Prints a new API bearer token (once: it is stored nowhere) and the entry to add to the token file
// (API_TOKENS_PATH) or to API_TOKENS, which hold only its SHA-256.
import { parseArgs } from 'node:util';
import { hashToken, newToken, RoleSchema, roles, tokenEntryYaml, type TokenEntry } from '../api/auth';

function usage(problem?: string): never {
  if (problem) console.error(`${problem}\n`);
  console.error(
    'Usage: npm run token -- --person <id> [--name "<full name>"] --roles <role>[,<role>...] [--note "<text>"]\n' +
      `Roles: ${roles.join(', ')}`,
  );
  process.exit(problem ? 1 : 0);
}

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        person: { type: 'string' },
        name: { type: 'string' },
        roles: { type: 'string' },
        note: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    usage((err as Error).message);
  }
  if (values.help) usage();
  const person = values.person?.trim();
  if (!person) usage('--person is required (the id recorded as the actor, e.g. officer.jones)');
  const requested = (values.roles ?? '')
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
  if (requested.length === 0) usage('--roles is required');
  const unknown = requested.filter((role) => !RoleSchema.safeParse(role).success);
  if (unknown.length > 0) usage(`Unknown role(s): ${unknown.join(', ')}`);

  const token = newToken();
  const entry: TokenEntry = {
    sha256: hashToken(token),
    person: { id: person, ...(values.name?.trim() ? { name: values.name.trim() } : {}) },
    roles: requested.map((role) => RoleSchema.parse(role)),
    ...(values.note ? { note: values.note } : {}),
  };
  console.log(`Token for ${person} (give it to them; it is not stored anywhere):\n\n  ${token}\n`);
  console.log('Add this entry under `tokens:` in the file at API_TOKENS_PATH (or to the list in API_TOKENS):\n');
  console.log(tokenEntryYaml(entry).replace(/^/gm, '  ').trimEnd());
}

main();
