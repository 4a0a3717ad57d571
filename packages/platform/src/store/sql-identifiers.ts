/**
 * Identifiers (database names) cannot be bound as `{name:Type}` parameters in DDL, so the one
 * identifier that comes from config is validated strictly and back-quoted; user input never
 * reaches SQL text (values go through query parameters).
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export function quoteDatabase(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new Error(`invalid ClickHouse database name ${JSON.stringify(name)}: use letters, digits and _`);
  }
  return `\`${name}\``;
}
