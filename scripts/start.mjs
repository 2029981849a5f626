// `npm start`: the server, with the environment it needs set here rather than
// left to the README. Signals are passed on; the exit status is the server's.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };
// glibc gives every thread that allocates its own malloc arena and keeps
// them: with onnxruntime's and WebRTC's native threads, resident memory
// grows with each camera that comes and goes. Two arenas keep it flat. It is
// read when the process starts, so it has to be set before, here.
if (process.platform === 'linux' && env.MALLOC_ARENA_MAX === undefined) env.MALLOC_ARENA_MAX = '2';

// V8's young generation grows to 16 MB semi-spaces in every thread that
// allocates fast (the main thread and each model thread, per frame): 2 MB
// keeps resident memory about 90 MB lower at 8 cameras for the same CPU
// (npm run bench). Model threads get the same through their resourceLimits.
const NODE_ARGS = ['--max-semi-space-size=2'];

const child = spawn(process.execPath, [...NODE_ARGS, path.join(root, 'bin', 'shotscale.js'), 'serve', ...process.argv.slice(2)], { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
// npm stopped by a signal (a supervisor, `timeout`) ends its shell without passing the signal on: this
// process is then handed to init, and the server would run on, holding its port and data directory. Being
// orphaned is taken as the SIGTERM that never came.
const parentAtStart = process.ppid;
const orphanCheck = setInterval(() => {
  if (process.ppid === parentAtStart) return;
  clearInterval(orphanCheck);
  process.stderr.write(`shotscale: the process that ran "npm start" has gone (pid ${parentAtStart}): stopping the server\n`);
  child.kill('SIGTERM');
}, 1000);
orphanCheck.unref();
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)));
