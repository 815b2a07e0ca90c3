import { type CliIo, EXIT } from '../command';
import { cacheDir, clearCache } from '../credential-cache';

/** `rolebroker cache clear`: removes the cache directory; says how many sessions it held. */
export function clear(io: CliIo): number {
  const dir = cacheDir(io.env);
  try {
    const removed = clearCache(dir);
    io.stdout(`removed ${removed} cached session${removed === 1 ? '' : 's'} from ${dir}\n`);
    return EXIT.ok;
  } catch (error) {
    io.stderr(`rolebroker: cannot clear ${dir}: ${(error as Error).message}\n`);
    return EXIT.failed;
  }
}
