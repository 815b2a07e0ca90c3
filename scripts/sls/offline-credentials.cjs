// Local runs only (scripts/local-stack.ts, behind `npm start` and the e2e tests): there,
// serverless-offline starts while the emulator is still being installed, started and seeded,
// so the broker's execution-role credentials do not exist yet when this process starts.
//
// With ROLEBROKER_INTERNAL_OFFLINE_CREDENTIALS=stdin, this hook runs after config loading and
// serverless-esbuild's bundling (plugins run in the order serverless.yml lists them) and
// waits for the credentials as one JSON line on stdin: {"accessKeyId", "secretAccessKey",
// "sessionToken"}. It puts them in process.env, which serverless-offline copies into every
// function's environment (custom.serverless-offline.localEnvironment) before it runs one.
// Without the variable (package, deploy, a plain `serverless offline`) it does nothing.

const KEYS = {
  accessKeyId: 'AWS_ACCESS_KEY_ID',
  secretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  sessionToken: 'AWS_SESSION_TOKEN',
};

function readLine(stream) {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end === -1) return;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.pause();
      resolve(text.slice(0, end));
    };
    const onEnd = () => reject(new Error('stdin closed before the credentials arrived'));
    stream.setEncoding('utf8');
    stream.on('data', onData);
    stream.once('end', onEnd);
  });
}

async function credentialsFromStdin() {
  let credentials;
  try {
    credentials = JSON.parse(await readLine(process.stdin));
  } catch (error) {
    // Never the line itself: it holds a secret key.
    throw new Error(`offline-credentials: no credentials on stdin (${error.name})`);
  }
  for (const field of Object.keys(KEYS)) {
    const value = credentials?.[field];
    if (typeof value !== 'string' || value === '') {
      throw new Error(`offline-credentials: ${field} missing from the credentials on stdin`);
    }
  }
  for (const [field, variable] of Object.entries(KEYS)) process.env[variable] = credentials[field];
}

class OfflineCredentials {
  constructor() {
    this.hooks =
      process.env.ROLEBROKER_INTERNAL_OFFLINE_CREDENTIALS === 'stdin'
        ? { 'before:offline:start:init': credentialsFromStdin }
        : {};
  }
}

module.exports = OfflineCredentials;
