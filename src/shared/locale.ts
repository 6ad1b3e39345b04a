/** The languages of the panel, the report and the exercise, and how a language is recognised. */

export type Locale = 'en' | 'de';

/**
 * German for a language tag or POSIX locale that names German (`de`, `de-CH`, `de_AT.UTF-8`,
 * `de@euro`), else English: VS Code's display language, the page's `lang`, LC_ALL/LC_MESSAGES/LANG.
 */
export function localeOf(tag: string | undefined): Locale {
  return /^de([_.@-]|$)/i.test(tag ?? '') ? 'de' : 'en';
}
