/**
 * What a failed PostgreSQL query means. PostgreSQL away, overloaded or
 * timing out is CLUSTER_UNREACHABLE (503: the same request works later);
 * PostgreSQL refusing what a request carried (a value out of range, bytes it
 * cannot store) is BAD_REQUEST, which no retry would change.
 */
import { errorMessage, ShotscaleError } from '../errors.js';

const sqlState = (error: unknown): string | null => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
};

/**
 * An error PostgreSQL gave about the data (a SQLSTATE outside connection
 * (08), resources (53), operator intervention (57) and system (58) errors),
 * as opposed to PostgreSQL being away or overloaded: a copied row it refuses
 * is set aside rather than retried for ever.
 */
export function refusedForContent(error: unknown): boolean {
  const code = sqlState(error);
  return code !== null && !/^(08|53|57|58)/.test(code);
}

/** The error a route answers for a failed query about `what` ("the cluster's takes"). */
export function clusterQueryError(error: unknown, what: string, hint?: string): ShotscaleError {
  // Data exceptions (22) and integrity violations (23): the request's own values.
  if (/^2[23]/.test(sqlState(error) ?? '')) return new ShotscaleError('BAD_REQUEST', `${what}: PostgreSQL refuses the values given (${errorMessage(error)})`, { cause: error });
  return new ShotscaleError('CLUSTER_UNREACHABLE', `${what} (PostgreSQL) cannot be used now: ${errorMessage(error)}`, { ...(hint ? { hint } : {}), cause: error });
}
