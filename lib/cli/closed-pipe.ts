/**
 * A reader that stops early (`rolebroker roles | head -1`) closes stdout's pipe, and the next
 * write fails with EPIPE. Without a listener Node reports that as an uncaught error with a
 * stack trace; the CLI ends instead, with the exit code it has so far (0 unless it failed).
 */
export function endQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit();
  });
}
