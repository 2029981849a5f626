/**
 * Imported for its side effect, ahead of onnxruntime-node (see onnx-session.ts).
 *
 * onnxruntime-node 1.30 has telemetry on Linux: when it creates its first
 * session it reads /etc/machine-id and /proc/self/cmdline, runs a recursive
 * regex over the command line (which overflowed the 4 MB stack of a model
 * thread at about 14 KB of command line: `classify` with 460 paths, exit 139;
 * see worker-model.ts), and keeps an id and a database under
 * ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ (all seen with strace). A
 * server on a film set has no business doing any of that, so it is off unless
 * the user says otherwise: an explicit ORT_DISABLE_TELEMETRY (even "0") is kept.
 *
 * onnxruntime reads the variable with getenv(), so it only counts when set on
 * the main thread: a worker's process.env is the worker's own copy, which
 * native code never sees (measured: set only in the model thread, the
 * directory is still made). The main thread always imports this module
 * before it starts a model thread (worker-model.ts) or loads a model itself.
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1';
