/**
 * The report as plain text for a terminal: the summary, the confusion matrix
 * (rows = truth, columns = predicted) and per-class scores, in fixed-width
 * columns so it survives being pasted into an issue or a log.
 */
import type { EvalReport } from './eval-report.js';

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  // First column left-aligned (names), the rest right-aligned (numbers).
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
}

export function formatReportText(report: EvalReport): string {
  const { classes, confusionMatrix: matrix } = report;
  const lines = [
    `model ${report.model} (${report.executionProvider}${report.views === 'both' ? ', each image as the mean of it and its mirror' : ''}), taxonomy ${report.taxonomy}, ${report.count} images` +
      (report.unreadable.length ? `, ${report.unreadable.length} unreadable (skipped)` : ''),
    `accuracy ${percent(report.accuracy)}  within one ${percent(report.withinOne)}  macro F1 ${report.macroF1.toFixed(3)}  mean recall ${percent(report.meanRecall)}  ${report.msPerImage} ms/image inference, ${report.wallMsPerImage} ms/image overall`,
    '',
    'confusion matrix (rows = truth, columns = predicted)',
    table([
      ['truth \\ pred', ...classes, 'total'],
      ...matrix.map((row, t) => [classes[t]!, ...row.map(String), String(row.reduce((a, b) => a + b, 0))]),
      ['total', ...classes.map((_, p) => String(matrix.reduce((a, row) => a + row[p]!, 0))), String(report.count)],
    ]),
    '',
    table([
      ['class', 'precision', 'recall', 'f1', 'support'],
      ...classes.map((name) => {
        const s = report.perClass[name]!;
        return [name, s.precision.toFixed(3), s.recall.toFixed(3), s.f1.toFixed(3), String(s.support)];
      }),
    ]),
  ];
  return lines.join('\n') + '\n';
}
