/**
 * Text into HTML, SVG or XML markup the server writes itself (the confusion
 * matrix picture, the film report): the five characters with a meaning there
 * become entities, valid in all three.
 */
const ENTITIES: Readonly<Record<string, string>> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };

export function escapeMarkup(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ENTITIES[c]!);
}
