/**
 * The shot log as CSV (RFC 4180) for spreadsheets, archive databases and
 * scripts: a header row, then one row per shot in time order. Lines end in
 * CRLF as RFC 4180 asks; fields holding a comma, a quote or a line break are
 * quoted, quotes doubled, and line breaks inside notes are kept.
 *
 * The file starts with a UTF-8 byte-order mark. Excel, where loggers open a
 * shot log, reads a CSV without one in the system's ANSI code page, so a
 * camera "Kamera Süd" or a scene "場面 4" shows as mojibake; with the mark it
 * reads UTF-8. LibreOffice, Google Sheets and pandas skip the mark; a
 * script that reads the text itself opens the file as "utf-8-sig" (Python)
 * or drops a leading U+FEFF, or reads the JSON export, which has none.
 *
 * `scale` is what the shot is: an operator's correction where one was made
 * (`scale_set_by` operator, the classifier's own in `classifier_scale`). A
 * shot with no picture from cut to cut (a camera black) has no scale of the
 * classifier's: its scale, confidence and probability cells are empty and
 * `no_picture` says what it showed (black, white, plain; empty for every
 * other shot); an operator's scale for it fills `scale` alone. `no_picture_s` is the seconds of any
 * shot without a picture (0 for most). A shot no frame of which was analysed
 * keeps the scale carried over from the shot before in `scale`, with its
 * confidence and probability cells empty and `reason` saying it was not
 * analysed (shot-description.ts).
 *
 * Each row keeps the shot's own rate (the `rate` column says which), so
 * tc_in/tc_out are exactly what the logger saw; only timeline exports convert.
 * Cells of free text (camera, scene, take, reason, tags, note) that start with
 * = + - @ get a leading ' so a spreadsheet shows them instead of running them.
 */
import { csvField } from '../evaluation/csv-table.js';
import { CANONICAL_SCALES, SCALE_NAMES } from '../shared/scale.js';
import { scaleSetByOperator, secondsWithoutPicture, shotFraming, shotWithoutPicture, type ShotRecord } from '../shared/shots.js';
import { guardFormula, roundedNumber } from './export-text.js';
import { classifierRead, NOT_ANALYSED_TEXT, shotNotAnalysed } from './shot-description.js';

const CSV_LINE_END = '\r\n';

export const CSV_COLUMNS = [
  'id',
  'camera',
  'scene',
  'take',
  'take_mark',
  'start_s',
  'end_s',
  'duration_s',
  'tc_in',
  'tc_out',
  'rate',
  'frames',
  'scale',
  'scale_name',
  'scale_start',
  'scale_end',
  'scale_set_by',
  'classifier_scale',
  'confidence',
  'framing',
  'framing_set_by',
  'detector_framing',
  'people',
  'over_the_shoulder',
  'reason',
  'cut_in',
  'cut_out',
  'in_time',
  'out_time',
  'tags',
  'note',
  'no_picture',
  'no_picture_s',
  ...CANONICAL_SCALES.map((scale) => `p_${scale}`),
] as const;

const userText = (text: string | null) => (text === null ? '' : guardFormula(text));
const isoTime = (epochMs: number) => (Number.isFinite(epochMs) ? new Date(epochMs).toISOString() : '');

function csvRow(shot: ShotRecord): string[] {
  // The scale a shot with no picture carried over from the shot before is no scale of its own.
  const noPicture = shotWithoutPicture(shot);
  const scale = noPicture ? null : shot.scale;
  // The classifier read nothing from cut to cut (no picture, or no frame analysed): its confidence and
  // probabilities are the shot before's, carried over.
  const read = classifierRead(shot);
  const cells = [
    String(shot.id),
    userText(shot.cameraId),
    userText(shot.scene),
    userText(shot.take),
    shot.takeMark ?? '',
    roundedNumber(shot.startS, 3),
    roundedNumber(shot.startS + shot.durationS, 3),
    roundedNumber(shot.durationS, 3),
    shot.tcIn,
    shot.tcOut,
    shot.rate,
    String(shot.outFrame - shot.inFrame),
    scale ?? '',
    scale ? SCALE_NAMES[scale] : '',
    shot.scaleStart ?? '',
    shot.scaleEnd ?? '',
    // An operator's correction: scale is theirs, the classifier's own beside it (none where it read no picture).
    scaleSetByOperator(shot) ? 'operator' : 'classifier',
    (scaleSetByOperator(shot) ? shot.classifierScale : scale) ?? '',
    read ? roundedNumber(shot.confidence, 4) : '',
    // The operator's framing where set, the detector's beside it (as scale and classifier_scale).
    shotFraming(shot) ?? '',
    shot.operatorFraming ? 'operator' : shot.subjects ? 'detector' : '',
    shot.subjects?.framing ?? '',
    shot.subjects ? String(shot.subjects.count) : '',
    shot.subjects ? String(shot.subjects.overTheShoulder) : '',
    shotNotAnalysed(shot) ? NOT_ANALYSED_TEXT : userText(shot.reason),
    shot.cutIn,
    shot.cutOut ?? '',
    isoTime(shot.inTime),
    isoTime(shot.outTime),
    userText(shot.tags.join(';')),
    userText(shot.note),
    noPicture ?? '',
    roundedNumber(secondsWithoutPicture(shot), 3),
    ...CANONICAL_SCALES.map((_, i) => (read ? roundedNumber(shot.probabilities[i] ?? Number.NaN, 4) : '')),
  ];
  return cells.map(csvField);
}

/** The byte-order mark that tells Excel the file is UTF-8 (see above). */
const CSV_BOM = '\ufeff';

/** `byteOrderMark`: false for text going to a script or a pipe rather than into a file (shotscale export to standard output). */
export function shotsCsv(sortedShots: readonly ShotRecord[], byteOrderMark = true): string {
  const rows = [CSV_COLUMNS.join(','), ...sortedShots.map((shot) => csvRow(shot).join(','))];
  return (byteOrderMark ? CSV_BOM : '') + rows.join(CSV_LINE_END) + CSV_LINE_END;
}
