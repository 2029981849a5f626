#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so no build step stands
// between a fresh clone and a running server.
import { register } from 'tsx/esm/api';

register();
await import('../server/cli/main.ts');
