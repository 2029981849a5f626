/**
 * One calibration for the cluster: the samples, heads and what is applied
 * where live in PostgreSQL (cluster-calibration-store.ts); a node that
 * applies a head or runs a fit tells the others over the Socket.IO Redis
 * adapter, and every node also reads what is applied every 2 s, so a change
 * missed while Redis was away still arrives.
 */
import type pg from 'pg';
import type { CalibrationRoutesCluster } from '../api/calibration-routes.js';
import type { SocketHub } from '../api/socket-hub.js';
import type { CalibrationAnnouncer, LiveCalibration } from '../calibration/live-calibration.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../shared/logger.js';
import { ClusterCalibrationStore } from './cluster-calibration-store.js';
import type { ClusterNode } from './cluster-node.js';
import { clusterQueryError } from './pg-errors.js';
import { NODE_ID_SPAN } from './shot-replicator.js';

export class ClusterCalibration {
  readonly store: ClusterCalibrationStore;
  private calibration: LiveCalibration | null = null;
  private reloading = false;
  /** A reload asked for during one: run once more after it, so the latest change is read. */
  private again = false;
  private failing = false;

  /** Node numbers to ids: a label-these frame's id says which node holds it. */
  private readonly nodeIds = new Map<number, string>();

  constructor(
    private readonly pool: pg.Pool,
    readonly nodeId: string,
    private readonly idBase: number,
    private readonly hub: () => SocketHub | null,
    private readonly node: () => ClusterNode | null,
    private readonly log: Logger,
  ) {
    this.store = new ClusterCalibrationStore(pool, nodeId);
  }

  /** The other live nodes, and who holds a label-these frame, for the calibration routes. */
  routes(): CalibrationRoutesCluster {
    return {
      nodeId: this.nodeId,
      otherNodes: () => this.node()?.peers() ?? [],
      queueOwner: async (id) => {
        const number = Math.floor(id / NODE_ID_SPAN);
        if (number === Math.floor(this.idBase / NODE_ID_SPAN)) return null;
        let nodeId = this.nodeIds.get(number);
        if (nodeId === undefined) {
          try {
            nodeId = (await this.pool.query<{ node_id: string }>('SELECT node_id FROM cluster_nodes WHERE number = $1', [number])).rows[0]?.node_id;
          } catch (error) {
            throw clusterQueryError(error, "the cluster's nodes");
          }
          if (nodeId === undefined) return { nodeId: `#${number}`, url: null };
          this.nodeIds.set(number, nodeId);
        }
        return { nodeId, url: this.node()?.nodeUrl(nodeId) ?? null };
      },
    };
  }

  readonly announce: CalibrationAnnouncer = {
    applied: () => this.hub()?.io.serverSideEmit('calibration:applied'),
    fit: (state) => this.hub()?.io.serverSideEmit('calibration:fit', state),
  };

  /** The node's calibration, once the models are loaded. */
  attach(calibration: LiveCalibration): void {
    this.calibration = calibration;
  }

  listen(hub: SocketHub): void {
    hub.io.on('calibration:applied', () => this.reload());
    hub.io.on('calibration:fit', (state) => this.calibration?.fitReported(state));
  }

  /** Every 2 s, and when another node says so: what is applied where, from PostgreSQL. */
  reload(): void {
    const calibration = this.calibration;
    if (!calibration) return;
    if (this.reloading) {
      this.again = true;
      return;
    }
    this.reloading = true;
    this.again = false;
    calibration
      .reloadApplied()
      .then(() => {
        if (this.failing) this.log.info('calibration: the cluster\'s heads can be read again');
        this.failing = false;
      })
      .catch((error: unknown) => {
        // PostgreSQL away: the cameras keep the heads they use; said once per outage.
        if (!this.failing) this.log.warn(`calibration: what is applied where cannot be read (${errorMessage(error)}); cameras keep their heads`);
        this.failing = true;
      })
      .finally(() => {
        this.reloading = false;
        if (this.again) this.reload();
      });
  }
}
