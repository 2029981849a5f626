#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so no build step stands
// between a fresh clone and a running server.
import { register } from 'tsx/esm/api';

// onnxruntime-node's telemetry off before anything loads it, for this process
// and the ones it starts (bench servers); a value the user set is kept. Why:
// server/inference/onnx-telemetry-off.ts.
process.env.ORT_DISABLE_TELEMETRY ??= '1';
register();
await import('../server/cli/main.ts');
