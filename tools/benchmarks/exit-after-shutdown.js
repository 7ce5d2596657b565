/*
 * Preloaded (-r) into a service the saga benchmark profiles with --cpu-prof. Node writes the
 * profile only when the process exits, not when a signal ends it — and Nest's shutdown hook ends
 * with process.kill(pid, 'SIGTERM') once it has closed the app. With this listener still there, that
 * second SIGTERM comes here instead, and the process exits normally, profile written.
 */
let signals = 0;
process.on('SIGTERM', () => {
  signals += 1;
  if (signals > 1) {
    process.exit(0);
  }
});
