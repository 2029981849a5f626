/**
 * The `shotscale` command line: serve (what `npm start` runs), log, export, classify, eval, calibrate, samples, cameras, bench.
 * User errors print their code and message and exit 1; a mistake on the
 * command line (BAD_REQUEST: an unknown option, a bad value) exits 2 with
 * the command's usage after it. `log` also exits 3 when the file ended
 * before its container said it would (a truncated file, logged for what was
 * decoded), and 130 or 143 when Ctrl-C or SIGTERM stopped it (log-command.ts);
 * every other command but serve says on stderr that it was stopped, and
 * dies of the signal (130, 143 to a shell; stop-signals.ts).
 */
import { isShotscaleError, errorMessage, ShotscaleError } from '../errors.js';
import { createLogger } from '../shared/logger.js';
import { VERSION } from '../shared/version.js';
import { UsageError } from './command-options.js';
import { sayStopSignals } from './stop-signals.js';

const USAGE = `usage: shotscale <command> [options]

commands:
  serve [--config FILE] [--host HOST] [--port N]
      Run the server on the config's cameras and model (default config/default.yaml).
  log VIDEO --out DIR [--fps 3] [--rate 25] [--start-tc HH:MM:SS:FF] [--formats csv,json,edl,ale,otio,markers,fcpxml]
      [--batch 8] [--config FILE]
      Cut a video file into shots as fast as the machine allows; writes the shot log (SQLite),
      every export, a thumbnail per shot and summary.json (average shot length, scale shares) to DIR,
      replacing an earlier log of a file there (never a server's). Exit 3: the file ended early (truncated).
  export --format FORMAT [--db FILE | --config FILE] [--out FILE|-] [--camera ID,...] [--scene S] [--take T]
         [--scale CU,MCU|none] [--from TIME] [--to TIME] [--title TEXT]
      Export the shot log: csv, json, edl (CMX3600), ale (Avid), otio (OpenTimelineIO), markers (Resolve marker EDL),
      fcpxml (Final Cut Pro); to stdout without --out (or with --out -). TIME: epoch milliseconds or an ISO 8601
      date (2026-12-05, 2026-12-05T14:30:00Z); for a log of a file also its timecode (00:01:30:00) or seconds
      into it (90s). Shots that end after --from and start before --to; --scale: shots of these scales
      (none: without a picture).
  classify FILE|FOLDER... [--files-from LIST|-] [--config FILE] [--fps N] [--batch N]
      Classify images or videos (sampled at --fps, default 1); JSON lines on stdout.
  eval --labels FILE [--images DIR] [--taxonomy NAME] [--json OUT] [--csv OUT]
       [--matrix OUT.svg] [--config FILE] [--limit N] [--batch N]
      Score the model on labelled images (CSV with file,label): accuracy, within-one,
      per-class scores, confusion matrix. Taxonomies: canonical, six, movieshots,
      three, cinescale, cinemanet (inferred from the labels when not given). --limit N: N rows spread evenly
      over the file (its mix of classes kept), not the first N.
  calibrate --labels FILE[=TAXONOMY] [--labels FILE2 ...] --out HEAD.json [--images DIR] [--taxonomy NAME] [--limit N]
            [--folds 5] [--epochs 300] [--lr 0.005] [--l2 0.5] [--ordinal 0.3] [--label-power 0] [--json OUT]
            [--save-samples F | --samples F] [--from-scratch | --base FILE] [--config FILE]
      Fit the default classifier's calibration head on one or several labelled sets at once; prints, per set,
      the rules alone, cross-validated within the set, and leave-one-set-out; by default with the configured
      head's base knowledge (--from-scratch: the given labels alone; --base FILE: another). --limit N: N rows
      of each labels file, spread evenly over it (its mix of classes kept).
  samples export --out DIR [--db FILE | --config FILE]
  samples import DIR [--labels FILE] [--taxonomy NAME] [--camera NAME] [--config FILE]
      A production's calibration samples (operators' corrections) as a folder of images and labels.csv
      that calibrate reads, and back into the shot log (import: stop the server first).
  cameras reset [ID...] [--config FILE]
      Forget the camera changes made over the API or the Cameras view that a server keeps in its data directory
      (all, or those of the cameras named): its next start runs the config file's cameras. Stop the server first.
  bench [--cameras 1,4,8,16] [--fps 5] [--duration S] [--warmup S] [--manifest M] [--out FILE]
      Run the pipeline benchmark (on another model's manifest with --manifest); prints figures and writes JSON.
  doctor [--config FILE] [--port N] [--host HOST] [--json]
      Check what the server needs (config, ffmpeg and NDI, execution providers, the model and its heads,
      the bind and certificate, the data directory, the port, the cameras' files): each problem with its
      fix and code; exits 1 on any.

options:
  -h, --help   this text
  --version    the version of shotscale`;

/** The USAGE lines of one command (its synopsis and description), else the whole of USAGE. */
function commandUsage(command: string): string {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  ${command} `));
  if (start < 0) return USAGE;
  let end = start + 1;
  // Synopsis and description lines are indented deeper than the next command's line (two spaces).
  while (end < lines.length && /^ {3,}\S/.test(lines[end]!)) end += 1;
  // samples has two synopses (export, import) sharing one description.
  while (end < lines.length && lines[end]!.startsWith(`  ${command} `)) {
    end += 1;
    while (end < lines.length && /^ {3,}\S/.test(lines[end]!)) end += 1;
  }
  return lines
    .slice(start, end)
    .map((l, i) => (l.startsWith(`  ${command} `) ? `${i === 0 ? 'usage:' : '      '} shotscale ${l.trimStart()}` : l))
    .join('\n');
}

const COMMANDS = new Set(['serve', 'log', 'export', 'classify', 'doctor', 'eval', 'calibrate', 'samples', 'cameras', 'bench']);

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const log = createLogger('shotscale');
  if (!command) {
    // A mistake like any other: said on stderr with its code, the usage after it, exit 2.
    process.stderr.write(`${new ShotscaleError('BAD_REQUEST', 'no command given', { hint: 'shotscale serve runs the server; shotscale --help lists every command' }).toDisplay()}\n\n${USAGE}\n`);
    return 2;
  }
  if (command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (command === '--version') {
    process.stdout.write(`shotscale ${VERSION}\n`);
    return 0;
  }
  // "shotscale log --help": that command's usage, not an unknown option (anything after "--" is an argument).
  const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (COMMANDS.has(command) && (options.includes('--help') || options.includes('-h'))) {
    process.stdout.write(commandUsage(command) + '\n');
    return 0;
  }
  // serve and log stop in their own way (closing what they were doing); every other command says it was stopped.
  if (COMMANDS.has(command) && command !== 'serve' && command !== 'log') sayStopSignals(command);
  try {
    // Each command loads what it needs: `export` or `--version` in a script does not load the models and the server.
    switch (command) {
      case 'serve':
        return await import('./serve-command.js').then((m) => m.runServe(rest, log));
      case 'log':
        return await import('./log-command.js').then((m) => m.runLog(rest, log));
      case 'export':
        return await import('./export-command.js').then((m) => m.runExport(rest));
      case 'classify':
        return await import('./classify-command.js').then((m) => m.runClassify(rest, log));
      case 'doctor':
        return await import('./doctor-command.js').then((m) => m.runDoctor(rest));
      case 'eval':
        return await import('./eval-command.js').then((m) => m.runEval(rest, log));
      case 'calibrate':
        return await import('./calibrate-command.js').then((m) => m.runCalibrate(rest, log));
      case 'samples':
        return await import('./samples-command.js').then((m) => m.runSamples(rest, log));
      case 'cameras':
        return (await import('./cameras-command.js')).runCameras(rest);
      case 'bench':
        return await import('./bench-command.js').then((m) => m.runBench(rest));
      default: {
        const unknown = new ShotscaleError('BAD_REQUEST', `unknown command ${JSON.stringify(command.slice(0, 40))}`, { hint: 'shotscale --help lists every command' });
        process.stderr.write(`${unknown.toDisplay()}\n\n${USAGE}\n`);
        return 2;
      }
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.toDisplay()}\n\n${commandUsage(command)}\n`);
      return 2;
    }
    if (isShotscaleError(error)) {
      process.stderr.write(error.toDisplay() + '\n');
      return 1;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      // Node's own words ("Unknown option '--lables'"), coded like every other mistake on the command line.
      const coded = new ShotscaleError('BAD_REQUEST', `shotscale ${command}: ${errorMessage(error)}`, { hint: 'shotscale --help lists every command and its options' });
      process.stderr.write(`${coded.toDisplay()}\n\n${commandUsage(command)}\n`);
      return 2;
    }
    process.stderr.write(`shotscale ${command}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

// Exit explicitly: a command is done when main returns, whatever handles linger.
process.exit(await main(process.argv.slice(2)));
