/** A progress line on stderr; the results table goes to stdout. */
export const note = (message: string) => process.stderr.write(`bench: ${message}\n`);
