// One detection of the language: VS Code's display language (the editor), the page's lang (the
// panel) and LC_ALL / LC_MESSAGES / LANG (the command line) name German the same ways.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { langOption, parseArgs } from '../../src/cli/args';
import { localeOf } from '../../src/shared/locale';

test('German tags and locales give de, everything else en', () => {
  for (const de of ['de', 'DE', 'de-CH', 'de-at', 'de_DE.UTF-8', 'de.UTF-8', 'de@euro']) assert.equal(localeOf(de), 'de', de);
  for (const en of ['en', 'en-US', 'C', 'POSIX', 'C.UTF-8', 'fr_FR.UTF-8', 'dex', 'nl-de', '', undefined]) assert.equal(localeOf(en), 'en', String(en));
});

test('the command line takes the first of LC_ALL, LC_MESSAGES and LANG that is set, and --lang over them', () => {
  const spec = { name: 'x', summary: '', positionals: [], options: { lang: { value: 'en|de', help: '' } } };
  const lang = (argv: string[], env: NodeJS.ProcessEnv): string => langOption(parseArgs(argv, spec), 'lang', env);
  assert.equal(lang([], { LANG: 'de_DE.UTF-8' }), 'de');
  assert.equal(lang([], { LC_ALL: 'en_US.UTF-8', LANG: 'de_DE.UTF-8' }), 'en');
  assert.equal(lang([], { LC_ALL: '', LC_MESSAGES: 'de_AT', LANG: 'en_US' }), 'de');
  assert.equal(lang(['--lang', 'en'], { LANG: 'de_DE.UTF-8' }), 'en');
});
