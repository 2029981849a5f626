/**
 * The film report of the live log: `GET /api/report?scene=12` is the page
 * `shotscale log` writes as report.html, for the shots that match the same
 * filters as `GET /api/shots` (scene, take, camera, from, to, status).
 */
import type { FastifyInstance } from 'fastify';
import { filmReport } from '../reports/film-report.js';
import type { ShotLog } from '../shots/shot-log.js';
import { needs } from './access/http-access.js';
import { shotFilterFrom } from './shot-routes.js';

type Query = Record<string, string | undefined>;

/** The page holds no script and loads nothing: say so to the browser too. */
const REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

export function registerReportRoutes(app: FastifyInstance, shotLog: ShotLog): void {
  app.get<{ Querystring: Query }>('/api/report', needs('viewer', ['camera', 'scene', 'take', 'from', 'to', 'status']), async (request, reply) => {
    const query = request.query;
    const filter = shotFilterFrom({ ...query, order: 'asc', limit: undefined, offset: undefined });
    const shots = shotLog.listShots(filter);
    const what = [query.scene ? `scene ${query.scene}` : '', query.take ? `take ${query.take}` : '', query.camera ? `cameras ${query.camera.split(',').join(', ')}` : ''].filter(Boolean);
    const title = what.length ? `shotscale: ${what.join(', ')}` : 'shotscale: the shot log';
    const body = filmReport(shots, { title, subtitle: `${shots.length} shot${shots.length === 1 ? '' : 's'} from the live log`, thumbnail: (shot) => (shot.hasThumbnail ? shotLog.shots.thumbnail(shot.id) : null) });
    return reply.type('text/html; charset=utf-8').header('content-security-policy', REPORT_CSP).send(body);
  });
}
