/**
 * Which taxonomy a labels file is written in, when the user does not say:
 * the one that names every label with the fewest classes. Fewest, because a
 * file that only uses "close / medium / long" is best scored in the coarse
 * taxonomy it was labelled in, not in a finer one that happens to accept the
 * same spellings. On a tie, the taxonomy matching more labels by class name
 * (not alias) wins, then the order of TAXONOMIES.
 */
import { EvalInputError } from './eval-error.js';
import { TAXONOMIES, classIndexOf, normaliseLabel, type Taxonomy } from './taxonomies.js';

export interface TaxonomyChoice {
  taxonomy: Taxonomy;
  /** One line for stderr: which taxonomy, and why. */
  reason: string;
  /** Other taxonomies that also name every label. */
  alternatives: Taxonomy[];
}

/** Distinct labels in first-seen order, deduplicated after normalisation. */
export function distinctLabels(labels: Iterable<string>): string[] {
  const seen = new Map<string, string>();
  for (const label of labels) {
    const key = normaliseLabel(label);
    if (!seen.has(key)) seen.set(key, label.trim());
  }
  return [...seen.values()];
}

/** Labels the taxonomy does not name. */
export function unknownLabels(taxonomy: Taxonomy, labels: readonly string[]): string[] {
  return labels.filter((l) => classIndexOf(taxonomy, l) === undefined);
}

function exactNameMatches(taxonomy: Taxonomy, labels: readonly string[]): number {
  const names = new Set(taxonomy.classes.map((c) => normaliseLabel(c.name)));
  return labels.filter((l) => names.has(normaliseLabel(l))).length;
}

/** Where a label is first used in the labels file ("line 5"), for errors; nothing when unknown. */
export type LabelLocator = (label: string) => string | undefined;

const quoteList = (labels: readonly string[], where?: LabelLocator) =>
  labels
    .map((l) => {
      const at = where?.(l);
      return `"${l}"${at ? ` (${at})` : ''}`;
    })
    .join(', ');

/** Throws EvalInputError naming the labels no single taxonomy covers. */
export function inferTaxonomy(labels: readonly string[], taxonomies: readonly Taxonomy[] = TAXONOMIES, where?: LabelLocator): TaxonomyChoice {
  const distinct = distinctLabels(labels);
  if (!distinct.length) throw new EvalInputError('the labels file has no labels');
  const covering = taxonomies
    .map((taxonomy, order) => ({ taxonomy, order, exact: exactNameMatches(taxonomy, distinct) }))
    .filter(({ taxonomy }) => unknownLabels(taxonomy, distinct).length === 0)
    .sort((a, b) => a.taxonomy.classes.length - b.taxonomy.classes.length || b.exact - a.exact || a.order - b.order);
  const best = covering[0];
  if (!best) throw explainUncovered(distinct, taxonomies, where);
  const alternatives = covering.slice(1).map((c) => c.taxonomy);
  const reason =
    `taxonomy ${best.taxonomy.name} (${best.taxonomy.classes.length} classes: ${best.taxonomy.classes.map((c) => c.name).join(', ')}) ` +
    `inferred: it names every label (${distinct.join(', ')}) with the fewest classes` +
    (alternatives.length ? `; also covering: ${alternatives.map((t) => `${t.name} (${t.classes.length})`).join(', ')}` : '') +
    '; choose with --taxonomy';
  return { taxonomy: best.taxonomy, reason, alternatives };
}

/**
 * Two different failures read differently: labels no taxonomy knows (a typo,
 * a foreign taxonomy), and known labels that no single taxonomy holds together
 * (e.g. "close" with "ECU").
 */
function explainUncovered(labels: readonly string[], taxonomies: readonly Taxonomy[], where?: LabelLocator): EvalInputError {
  const unknown = labels.filter((l) => taxonomies.every((t) => classIndexOf(t, l) === undefined));
  const names = taxonomies.map((t) => t.name).join(', ');
  if (unknown.length) {
    return new EvalInputError(
      `unknown label${unknown.length > 1 ? 's' : ''} ${quoteList(unknown, where)}: no taxonomy (${names}) names ${unknown.length > 1 ? 'them' : 'it'}`,
      `fix the spelling, or delete those rows; the taxonomies' classes (each also has aliases): ${taxonomies.map((t) => `${t.name} ${t.classes.map((c) => c.name).join('/')}`).join('; ')}`,
    );
  }
  const at = (l: string) => {
    const line = where?.(l);
    return line ? ` (${line})` : '';
  };
  const found = labels.map((l) => `"${l}"${at(l)} in ${taxonomies.filter((t) => classIndexOf(t, l) !== undefined).map((t) => t.name).join('/')}`);
  return new EvalInputError(
    `no single taxonomy names every label: ${found.join('; ')}`,
    'the labels of one file are of one taxonomy: relabel the rows of the other, or split the file (calibrate takes several, each as FILE=TAXONOMY)',
  );
}

/** Checks labels against a taxonomy the user chose. */
export function checkLabels(taxonomy: Taxonomy, labels: readonly string[], taxonomies: readonly Taxonomy[] = TAXONOMIES, where?: LabelLocator): void {
  const unknown = unknownLabels(taxonomy, distinctLabels(labels));
  if (!unknown.length) return;
  const hints = unknown.map((l) => {
    const others = taxonomies.filter((t) => classIndexOf(t, l) !== undefined).map((t) => t.name);
    return others.length ? `"${l}" is in ${others.join('/')}` : `"${l}" is in no taxonomy`;
  });
  const accepted = taxonomy.classes.map((c) => [c.name, ...c.aliases].join('/')).join(', ');
  throw new EvalInputError(
    `label${unknown.length > 1 ? 's' : ''} ${quoteList(unknown, where)} not in taxonomy ${taxonomy.name} (accepts ${accepted}); ${hints.join('; ')}`,
    'name the taxonomy the file is written in with --taxonomy (or leave it out to have it inferred), or fix those rows',
  );
}
