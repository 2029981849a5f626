/**
 * What every view gets: the live state, the Socket.IO connection and the
 * HTTP client. Passed down as one prop so views stay independent of App.
 */
import type { Api } from './api.js';
import type { LiveConnection } from './connection.js';
import type { LiveState } from './live-state.svelte.js';

export interface Dashboard {
  live: LiveState;
  connection: LiveConnection;
  api: Api;
}
