/**
 * The shot log's schema, as numbered migrations. A database records the
 * version it is at (PRAGMA user_version); opening it applies the missing
 * steps in one transaction each. Never edit a released step: add one.
 */
import { canonicalTake, slateKey, slateText } from '../shared/input-limits.js';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** What a SQL function of a migration is given: SQLite's NULL, text, a number or a blob. */
type SqlValue = string | number | bigint | Buffer | null;

/** Text through `fn`; NULL and anything not text (no such spelling was ever stored) as it is. */
const onText = (fn: (text: string) => string) => (value: SqlValue) => (typeof value === 'string' ? fn(value) : value);

/**
 * A JSON array of tags, each as slateText has it, the first of two that
 * become one kept (as an edit stores them, server/shots/shot-log.ts).
 * Text that is not an array of text is kept as it is: it reads as it did.
 */
function slateTags(json: string): string {
  let tags: unknown;
  try {
    tags = JSON.parse(json);
  } catch {
    return json;
  }
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) return json;
  return JSON.stringify([...new Set(tags.map(slateText))]);
}

/**
 * SQL functions the steps below call, registered on every connection before
 * its migrations run (server/store/database.ts migrate). Deterministic: the
 * same text always gives the same spelling. Only UPDATEs call them, never a
 * view, trigger or index, so a tool without them still reads the file.
 */
export const MIGRATION_FUNCTIONS: Readonly<Record<string, (value: SqlValue) => SqlValue>> = {
  shotscale_canonical_take: onText(canonicalTake),
  shotscale_slate_text: onText(slateText),
  shotscale_slate_tags: onText(slateTags),
  shotscale_slate_key: onText(slateKey),
};

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'shots, takes and thumbnails',
    sql: `
      CREATE TABLE takes (
        id INTEGER PRIMARY KEY,
        scene TEXT NOT NULL,
        take TEXT NOT NULL,
        cameras TEXT,                      -- JSON array of camera ids; NULL = every camera
        started_at INTEGER NOT NULL,       -- epoch ms
        ended_at INTEGER
      );
      CREATE INDEX takes_scene ON takes (scene, take);

      CREATE TABLE shots (
        id INTEGER PRIMARY KEY,
        camera_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
        in_time REAL NOT NULL,             -- epoch ms of the first frame
        out_time REAL NOT NULL,            -- epoch ms after the last frame
        rate TEXT NOT NULL,                -- timecode rate name, e.g. 29.97DF
        in_frame INTEGER NOT NULL,         -- timecode frames of the first frame
        out_frame INTEGER NOT NULL,        -- timecode frames after the last frame
        start_s REAL NOT NULL,
        scale TEXT NOT NULL,
        confidence REAL NOT NULL,
        probabilities TEXT NOT NULL,       -- JSON, canonical order
        readouts INTEGER NOT NULL,
        subjects TEXT,                     -- JSON
        reason TEXT,
        cut_in TEXT NOT NULL,
        cut_out TEXT,
        take_id INTEGER REFERENCES takes (id),
        scene TEXT,
        take TEXT,
        tags TEXT NOT NULL DEFAULT '[]',   -- JSON array
        note TEXT
      );
      CREATE INDEX shots_time ON shots (in_time);
      CREATE INDEX shots_camera_time ON shots (camera_id, in_time);
      CREATE INDEX shots_scene_take ON shots (scene, take);
      CREATE INDEX shots_open ON shots (status) WHERE status = 'open';

      -- Apart from shots so that listing shots never reads image bytes.
      CREATE TABLE thumbnails (
        shot_id INTEGER PRIMARY KEY REFERENCES shots (id) ON DELETE CASCADE,
        jpeg BLOB NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'coverage plans and the alert history',
    sql: `
      CREATE TABLE plans (
        scene TEXT PRIMARY KEY,
        plan TEXT NOT NULL,                -- JSON, as given
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        camera_ids TEXT NOT NULL,          -- JSON array
        message TEXT NOT NULL,
        since INTEGER NOT NULL,
        resolved_at INTEGER
      );
      CREATE INDEX alerts_key ON alerts (key, since);
    `,
  },
  {
    version: 3,
    description: 'the scale a shot opens and closes on',
    sql: `
      ALTER TABLE shots ADD COLUMN scale_start TEXT;   -- NULL: no frame analysed, or logged before version 3
      ALTER TABLE shots ADD COLUMN scale_end TEXT;
    `,
  },
  {
    version: 4,
    description: "a production's calibration: operator corrections as samples, fitted heads and where each applies",
    sql: `
      -- An operator's scale: scale holds it, scale_classifier the classifier's own (NULL: never corrected).
      ALTER TABLE shots ADD COLUMN scale_classifier TEXT;
      -- The analysed thumbnail frame's features and rules' probabilities, so a corrected shot teaches the classifier too.
      ALTER TABLE thumbnails ADD COLUMN features BLOB;
      ALTER TABLE thumbnails ADD COLUMN rules TEXT;

      CREATE TABLE calibration_samples (
        id INTEGER PRIMARY KEY,
        camera_id TEXT NOT NULL,
        captured_at INTEGER NOT NULL,      -- epoch ms of the analysed frame
        created_at INTEGER NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('live', 'shot', 'import')),
        taxonomy TEXT NOT NULL,            -- the taxonomy the label is in
        label TEXT NOT NULL,               -- the label the operator gave
        shown TEXT,                        -- the canonical label the classifier showed
        shot_id INTEGER,                   -- a shot correction: the shot
        features BLOB NOT NULL,            -- Float32, the model's feature vector
        feature_names TEXT NOT NULL,       -- JSON: the model's feature names (a model that gains features still reads them)
        rules TEXT NOT NULL,               -- JSON, the rules' canonical probabilities
        jpeg BLOB                          -- the analysed frame
      );
      CREATE INDEX calibration_samples_camera ON calibration_samples (camera_id, created_at);

      CREATE TABLE calibration_heads (
        id INTEGER PRIMARY KEY,            -- the head's version
        created_at INTEGER NOT NULL,
        samples INTEGER NOT NULL,          -- production samples it was fitted on
        head TEXT NOT NULL,                -- JSON, as saved by shotscale calibrate
        report TEXT NOT NULL               -- JSON: per taxonomy, before and after (cross-validated)
      );

      -- Which head each camera uses: '*' for every camera without its own row; head_id NULL = the configured head.
      CREATE TABLE calibration_applied (
        scope TEXT PRIMARY KEY,
        head_id INTEGER REFERENCES calibration_heads (id),
        applied_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 5,
    description: 'the shots a node of a cluster has still to copy to PostgreSQL',
    sql: `
      -- Filled by triggers while the node is in a cluster (see server/cluster/shot-replicator.ts);
      -- a row per write, emptied up to a seq once PostgreSQL has taken the shots. On disk, so a
      -- PostgreSQL outage or a crash loses nothing.
      CREATE TABLE cluster_outbox (
        seq INTEGER PRIMARY KEY,           -- a rowid: ever higher while rows are waiting, which is all the copy needs
        shot_id INTEGER NOT NULL
      );
    `,
  },
  {
    version: 6,
    description: 'what an alert is about: the scale of a doubling or stuck alert, the scene of a plan-missing one',
    sql: `
      ALTER TABLE alerts ADD COLUMN scale TEXT;
      ALTER TABLE alerts ADD COLUMN scene TEXT;
    `,
  },
  {
    version: 7,
    description: 'how long a shot had no picture (a camera black, white or one plain colour), and shots with none at all',
    sql: `
      -- NULL: the shot had a picture (or was logged before version 7); else what it showed instead, from cut to cut.
      ALTER TABLE shots ADD COLUMN no_picture TEXT CHECK (no_picture IN ('black', 'white', 'plain'));
      -- Seconds of the shot without a picture; NULL: none (or logged before version 7).
      ALTER TABLE shots ADD COLUMN no_picture_s REAL;
    `,
  },
  {
    version: 8,
    description: 'the file a file-mode log was made from, so that an export of the log alone still links to its media',
    sql: `
      -- A row per camera that is a file (shotscale log); a live camera has none.
      CREATE TABLE media_sources (
        camera_id TEXT PRIMARY KEY,
        path TEXT NOT NULL,                -- absolute path of the file as logged
        title TEXT NOT NULL,               -- the exports' title (the file name)
        rate TEXT NOT NULL,                -- the timeline rate it was logged at, e.g. 29.97DF
        width INTEGER,                     -- picture size as probed; NULL: not known
        height INTEGER,
        audio TEXT                         -- JSON {channels, sampleRate}; NULL: no audio stream
      );
    `,
  },
  {
    version: 9,
    description: 'cameras a take has left while it runs on others, and the times a server restart cut into a take',
    sql: `
      -- JSON list: cameras a take on every camera no longer runs on (a take was started or ended there alone); NULL: none.
      ALTER TABLE takes ADD COLUMN except_cameras TEXT;
      -- JSON list of {from, to} (epoch ms): the server was down during the take (a crash), so no shots from..to; NULL: none.
      ALTER TABLE takes ADD COLUMN gaps TEXT;
    `,
  },
  {
    version: 10,
    description: "a stored coverage plan's revision, so that a stale edit cannot overwrite a newer one",
    sql: `
      -- Plans stored before version 10 are revision 1.
      ALTER TABLE plans ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
      -- The last revision given: a plan deleted and stored again gets a new one, never one a client may hold.
      CREATE TABLE plan_revision (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last INTEGER NOT NULL
      );
      INSERT INTO plan_revision (id, last) VALUES (1, 1);
    `,
  },
  {
    version: 11,
    description: "a shot's framing set by an operator, and circled and NG takes",
    sql: `
      -- The operator's framing (single, two-shot, group); the detector's stays in subjects. NULL: never set.
      ALTER TABLE shots ADD COLUMN framing_operator TEXT CHECK (framing_operator IN ('single', 'two-shot', 'group'));
      -- A script supervisor's mark: circled (print) or ng (no good: its shots cover nothing). NULL: unmarked.
      ALTER TABLE takes ADD COLUMN mark TEXT CHECK (mark IN ('circled', 'ng'));
    `,
  },
  {
    version: 12,
    description: 'cameras added, edited or removed over the API on a single server, applied over the config file at the next start',
    sql: `
      -- A row per camera an admin touched (server/store/camera-override-store.ts); the rowid orders added cameras.
      CREATE TABLE camera_overrides (
        camera_id TEXT PRIMARY KEY,
        config TEXT,                       -- JSON, as the camera ran (credentials as given); NULL: a config file camera removed
        changed_at INTEGER NOT NULL        -- epoch ms
      );
    `,
  },
  {
    version: 13,
    description: "a file-mode log's pixel aspect, so that an export of the log alone sizes the picture as the exports beside it do",
    sql: `
      -- JSON {h, v}: the file's pixels are h:v wide (HDV 1440x1080: 4:3); NULL: square (or logged before version 13).
      ALTER TABLE media_sources ADD COLUMN pixel_aspect TEXT;
    `,
  },
  {
    version: 14,
    description: 'calibration sample ids never given again, so that a stale delete or a cached picture never reaches a newer sample',
    sql: `
      -- AUTOINCREMENT: without it SQLite hands a deleted newest sample's id to the next one (a second
      -- tab's stale DELETE then removed someone's new correction). Rows and their ids are kept.
      CREATE TABLE calibration_samples_v14 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        camera_id TEXT NOT NULL,
        captured_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('live', 'shot', 'import')),
        taxonomy TEXT NOT NULL,
        label TEXT NOT NULL,
        shown TEXT,
        shot_id INTEGER,
        features BLOB NOT NULL,
        feature_names TEXT NOT NULL,
        rules TEXT NOT NULL,
        jpeg BLOB
      );
      INSERT INTO calibration_samples_v14 (id, camera_id, captured_at, created_at, source, taxonomy, label, shown, shot_id, features, feature_names, rules, jpeg)
        SELECT id, camera_id, captured_at, created_at, source, taxonomy, label, shown, shot_id, features, feature_names, rules, jpeg FROM calibration_samples;
      DROP TABLE calibration_samples;
      ALTER TABLE calibration_samples_v14 RENAME TO calibration_samples;
      CREATE INDEX calibration_samples_camera ON calibration_samples (camera_id, created_at);
    `,
  },
  {
    version: 15,
    description: "a file-mode log's field order, so that an export of the log alone names interlaced material as the exports beside it do",
    sql: `
      -- The field shown first of interlaced material; NULL: progressive (or logged before version 15).
      ALTER TABLE media_sources ADD COLUMN field_order TEXT CHECK (field_order IN ('upper first', 'lower first'));
    `,
  },
  {
    version: 16,
    description: "a file-mode log's reel name from the file's metadata, so that an export of the log alone names the same reel as the exports beside it",
    sql: `
      -- The file's reel_name (QuickTime or MXF); NULL: none (the file's name is the reel), or logged before version 16.
      ALTER TABLE media_sources ADD COLUMN reel TEXT;
    `,
  },
  {
    version: 17,
    description: 'one spelling per scene, take and tag: take numbers as a whole number ("01" is take 1), scenes and tags in Unicode NFC',
    sql: `
      -- Takes and scenes come in as canonicalTake and slateText have them, and are looked up as they are;
      -- rows stored before kept "01" or a scene with a combining accent, so take 1 was slated a second time
      -- and /api/shots?take=01 found none of them. Only rows that change are written (a cluster node's
      -- outbox triggers then copy just those shots again).
      UPDATE takes SET take = shotscale_canonical_take(take) WHERE take IS NOT shotscale_canonical_take(take);
      UPDATE takes SET scene = shotscale_slate_text(scene) WHERE scene IS NOT shotscale_slate_text(scene);
      UPDATE shots SET take = shotscale_canonical_take(take) WHERE take IS NOT shotscale_canonical_take(take);
      UPDATE shots SET scene = shotscale_slate_text(scene) WHERE scene IS NOT shotscale_slate_text(scene);
      UPDATE shots SET tags = shotscale_slate_tags(tags) WHERE tags IS NOT shotscale_slate_tags(tags);
      -- A plan is read back through the plan schema, which composes its scene, labels and tags; its key is
      -- what /api/plans/:scene looks up. Two plans whose scenes differ only in spelling: the second
      -- keeps its key (OR IGNORE), rather than the upgrade failing and the server not starting.
      UPDATE OR IGNORE plans SET scene = shotscale_slate_text(scene) WHERE scene IS NOT shotscale_slate_text(scene);
    `,
  },
  {
    version: 18,
    description: 'one spelling per scene and per take of a scene in any case and spacing ("kitchen" is the scene slated "Kitchen"), the one used first',
    sql: `
      -- Runs of spaces inside a scene, take or tag are one space now (slateText); then the spellings of one scene
      -- (slateKey: any case) become the one used first: a take's, else a plan's, else a shot's, as new ones resolve
      -- (server/shots/slate-spelling.ts). Split over two spellings, coverage called framings missing in each.
      UPDATE takes SET take = shotscale_canonical_take(take) WHERE take IS NOT shotscale_canonical_take(take);
      UPDATE takes SET scene = shotscale_slate_text(scene) WHERE scene IS NOT shotscale_slate_text(scene);
      UPDATE shots SET take = shotscale_canonical_take(take) WHERE take IS NOT shotscale_canonical_take(take);
      UPDATE shots SET scene = shotscale_slate_text(scene) WHERE scene IS NOT shotscale_slate_text(scene);
      UPDATE shots SET tags = shotscale_slate_tags(tags) WHERE tags IS NOT shotscale_slate_tags(tags);
      UPDATE OR IGNORE plans SET scene = shotscale_slate_text(scene) WHERE scene IS NOT shotscale_slate_text(scene);
      CREATE TEMP TABLE first_scene AS
        SELECT shotscale_slate_key(scene) AS k, scene, MIN(rank) AS rank FROM (
          SELECT scene, started_at AS rank FROM takes
          UNION ALL SELECT scene, 100000000000000 + updated_at FROM plans
          UNION ALL SELECT scene, 200000000000000 + in_time FROM shots WHERE scene IS NOT NULL
        ) GROUP BY shotscale_slate_key(scene);
      UPDATE takes SET scene = f.scene FROM first_scene f WHERE f.k = shotscale_slate_key(takes.scene) AND takes.scene IS NOT f.scene;
      UPDATE shots SET scene = f.scene FROM first_scene f WHERE f.k = shotscale_slate_key(shots.scene) AND shots.scene IS NOT f.scene;
      -- A second plan of one scene keeps its spelling (OR IGNORE), as in step 17, rather than the upgrade failing.
      UPDATE OR IGNORE plans SET scene = f.scene FROM first_scene f WHERE f.k = shotscale_slate_key(plans.scene) AND plans.scene IS NOT f.scene;
      -- An alert's scene too, so that a plan alert of the scene is resolved by its next take (its key is left as it is).
      UPDATE alerts SET scene = f.scene FROM first_scene f WHERE f.k = shotscale_slate_key(alerts.scene) AND alerts.scene IS NOT f.scene;
      CREATE TEMP TABLE first_take AS
        SELECT scene, shotscale_slate_key(take) AS k, take, MIN(rank) AS rank FROM (
          SELECT scene, take, started_at AS rank FROM takes
          UNION ALL SELECT scene, take, 100000000000000 + in_time FROM shots WHERE scene IS NOT NULL AND take IS NOT NULL
        ) GROUP BY scene, shotscale_slate_key(take);
      UPDATE takes SET take = f.take FROM first_take f WHERE f.scene = takes.scene AND f.k = shotscale_slate_key(takes.take) AND takes.take IS NOT f.take;
      UPDATE shots SET take = f.take FROM first_take f WHERE f.scene = shots.scene AND f.k = shotscale_slate_key(shots.take) AND shots.take IS NOT f.take;
      DROP TABLE first_scene;
      DROP TABLE first_take;
    `,
  },
];
