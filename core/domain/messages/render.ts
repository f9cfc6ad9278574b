/**
 * The `{{variable}}` templates of messages to creators: pure. A template names only known
 * variables (checked when it is saved, so a typo is caught by the admin, not by a creator
 * reading "{{dueDat}}"); a known variable without a value renders empty.
 */
const VARIABLE = /\{\{\s*([A-Za-z][\w.]*)\s*\}\}/g;

/** The variables a template names, in order of first use. */
export function variablesOf(template: string): string[] {
  return [...new Set([...template.matchAll(VARIABLE)].map((m) => m[1]!))];
}

/** The variables a template names that are not in `known`. */
export function unknownVariables(template: string, known: readonly string[]): string[] {
  return variablesOf(template).filter((v) => !known.includes(v));
}

/** Renders a template: each `{{name}}` becomes its value, empty when none. */
export function renderTemplate(template: string, values: Readonly<Record<string, string | undefined>>): string {
  return template.replace(VARIABLE, (_, name: string) => values[name] ?? '');
}
