// Imported first by bin.ts, before anything that could load the AWS SDK: stderr carries only
// the CLI's own one-line messages.
import { CLI_SET_ENV } from './cli-env';

/** The SDK reads this before warning that it will soon need a newer Node. */
export const SDK_VERSION_WARNING_ENV = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

if (process.env[SDK_VERSION_WARNING_ENV] === undefined) {
  process.env[SDK_VERSION_WARNING_ENV] = 'true';
  CLI_SET_ENV.add(SDK_VERSION_WARNING_ENV);
}

// Node prints every process warning (deprecations, experimental features, the SDK's) to
// stderr through its own 'warning' listener: drop them, the CLI's stderr is its messages.
process.removeAllListeners('warning');
process.on('warning', () => {});
