/** The camera id rule, shared by the config, the API and the alert settings. */
import { z } from 'zod';
import { CAMERA_ID_PATTERN, CAMERA_ID_RULE } from '../shared/input-limits.js';

export const cameraIdSchema = z
  .string()
  .regex(CAMERA_ID_PATTERN, CAMERA_ID_RULE)
  .describe('Stable camera id, used in URLs, logs and metrics');
