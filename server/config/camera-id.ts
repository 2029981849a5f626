/** The camera id rule, shared by the config, the API and the alert settings. */
import { z } from 'zod';

export const cameraIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, "-" and "_", at most 64, starting with a letter or digit')
  .describe('Stable camera id, used in URLs, logs and metrics');
