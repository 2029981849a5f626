/**
 * The film report of the live log: `GET /api/report?scene=12` is the page
 * `shotscale log` writes as report.html, for the shots that match the same
 * filters as `GET /api/shots` (scene, take, camera, from, to, status).
 */
import type { FastifyInstance } from 'fastify';
import { buildOnThread, exportPlace } from '../exports/export-thread.js';
import type { ReportThumbnails } from '../exports/export-worker.js';
import type { ShotRecord } from '../shared/shots.js';
import type { ShotLog } from '../shots/shot-log.js';
import { needs } from './access/http-access.js';
import { clientGone } from './client-gone.js';
import { filteredScales, shotFilterFrom } from './shot-routes.js';

type Query = Record<string, string | undefined>;

/** The data directory ":memory:" keeps the log in memory, under this name (ShotLog.open). */
const MEMORY_DATABASE = ':memory:';

/** The page holds no script and loads nothing: say so to the browser too. */
const REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

/** The log's file, which the report's thread opens read-only; a log kept in memory has none to open, so hands the thumbnails over. */
function thumbnailsOf(shotLog: ShotLog, shots: readonly ShotRecord[]): ReportThumbnails {
  if (shotLog.file !== MEMORY_DATABASE) return { databaseFile: shotLog.file };
  const given = new Map<number, Uint8Array>();
  for (const shot of shots) {
    const jpeg = shot.hasThumbnail ? shotLog.shots.thumbnail(shot.id) : null;
    if (jpeg) given.set(shot.id, jpeg);
  }
  return { given };
}

export function registerReportRoutes(app: FastifyInstance, shotLog: ShotLog): void {
  app.get<{ Querystring: Query }>('/api/report', needs('viewer', ['camera', 'scene', 'take', 'scale', 'from', 'to', 'status']), async (request, reply) => {
    const query = request.query;
    const filter = shotLog.spelling.slated(shotFilterFrom({ ...query, order: 'asc', limit: undefined, offset: undefined }));
    // Built, thumbnails read, on a thread of its own (export-thread.ts): a day's report (8,102 shots, 142 MB) held the
    // loop ~20 s. Its place is taken before the shots are read, so a report waiting holds none.
    const gone = clientGone(reply);
    const release = await exportPlace(gone);
    let body: Buffer;
    try {
      const shots = shotLog.listShots(filter);
      const what = [query.scene ? `scene ${query.scene}` : '', query.take ? `take ${query.take}` : '', query.camera ? `cameras ${query.camera.split(',').join(', ')}` : '', filteredScales(filter)].filter(Boolean);
      const title = what.length ? `shotscale: ${what.join(', ')}` : 'shotscale: the shot log';
      const subtitle = `${shots.length} shot${shots.length === 1 ? '' : 's'} from the live log`;
      body = await buildOnThread({ kind: 'report', shots, title, subtitle, thumbnails: thumbnailsOf(shotLog, shots) }, { abandoned: gone });
    } finally {
      release();
    }
    return reply.type('text/html; charset=utf-8').header('content-security-policy', REPORT_CSP).send(body);
  });
}
