const RULES = new Intl.PluralRules('en');

/** "1 source", "0 sources", "2 entries": the count and the noun in the form English gives it. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${RULES.select(count) === 'one' ? singular : pluralForm}`;
}
