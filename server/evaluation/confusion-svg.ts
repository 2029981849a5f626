/**
 * The confusion matrix as a standalone SVG, written by hand (no plotting
 * library for one grid): counts in the cells, colour by the row-normalised
 * fraction so small classes read as clearly as large ones, truth down the
 * side, predictions along the top.
 */
import { escapeMarkup } from '../shared/markup.js';

export interface MatrixPicture {
  classes: readonly string[];
  matrix: readonly (readonly number[])[];
  title: string;
  subtitle: string;
}

const CELL = 56;
const LEFT = 110;
const TOP = 104;
const RIGHT = 24;
const BOTTOM = 24;

/** White to dark blue (ColorBrewer "Blues" ends), linear in RGB. */
function shade(fraction: number): string {
  const from = [247, 251, 255];
  const to = [8, 48, 107];
  const rgb = from.map((f, i) => Math.round(f + (to[i]! - f) * Math.min(1, Math.max(0, fraction))));
  return `rgb(${rgb.join(',')})`;
}

export function renderConfusionSvg(picture: MatrixPicture): string {
  const { classes, matrix } = picture;
  const n = classes.length;
  // Wide enough for the title too (about 9.5 px a character at 15 px bold, 7 at 12 px).
  const width = Math.ceil(Math.max(LEFT + n * CELL + RIGHT, 24 + Math.max(9.5 * picture.title.length, 7 * picture.subtitle.length)));
  const height = TOP + n * CELL + BOTTOM;
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${escapeMarkup(picture.title)}</text>`,
    `<text x="12" y="42" font-size="12" fill="#444444">${escapeMarkup(picture.subtitle)}</text>`,
    `<text x="${LEFT + (n * CELL) / 2}" y="${TOP - 34}" font-size="12" text-anchor="middle" fill="#444444">predicted</text>`,
    `<text x="14" y="${TOP + (n * CELL) / 2}" font-size="12" text-anchor="middle" fill="#444444" transform="rotate(-90 14 ${TOP + (n * CELL) / 2})">truth</text>`,
  ];
  classes.forEach((name, i) => {
    const label = escapeMarkup(name);
    out.push(`<text x="${LEFT + i * CELL + CELL / 2}" y="${TOP - 10}" font-size="12" text-anchor="middle">${label}</text>`);
    out.push(`<text x="${LEFT - 8}" y="${TOP + i * CELL + CELL / 2 + 4}" font-size="12" text-anchor="end">${label}</text>`);
  });
  matrix.forEach((row, t) => {
    const support = row.reduce((a, b) => a + b, 0);
    row.forEach((count, p) => {
      const fraction = support ? count / support : 0;
      const x = LEFT + p * CELL;
      const y = TOP + t * CELL;
      const ink = fraction > 0.5 ? '#ffffff' : '#111111';
      out.push(`<rect x="${x}" y="${y}" width="${CELL}" height="${CELL}" fill="${shade(fraction)}" stroke="#dddddd"/>`);
      out.push(`<text x="${x + CELL / 2}" y="${y + CELL / 2 + 1}" font-size="14" text-anchor="middle" fill="${ink}">${count}</text>`);
      out.push(`<text x="${x + CELL / 2}" y="${y + CELL / 2 + 16}" font-size="9" text-anchor="middle" fill="${ink}">${support ? `${Math.round(fraction * 100)}%` : ''}</text>`);
    });
  });
  // The diagonal (correct predictions) outlined last, so neighbours do not paint over it.
  classes.forEach((_, i) => {
    out.push(`<rect x="${LEFT + i * CELL + 1}" y="${TOP + i * CELL + 1}" width="${CELL - 2}" height="${CELL - 2}" fill="none" stroke="#d62728" stroke-width="2"/>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
