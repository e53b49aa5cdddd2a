// LIKE/ILIKE patterns from user text, the one way: `%`, `_` and `\` in the text match themselves (PostgreSQL's
// default LIKE escape is the backslash), so a search for "100%" finds that text and not every row.

/** `text` with the LIKE wildcards and the escape character escaped. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A pattern matching values that contain `text` literally: bind it to `col ILIKE $n`. */
export function containsPattern(text: string): string {
  return `%${escapeLike(text)}%`;
}
