import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type LocalStack, startLocalStack } from '../../scripts/local-stack';

let stack: LocalStack | undefined;
let dir: string | undefined;

/** Starts the same stack as `npm start` (free ports, temporary profile files) for the e2e project. */
export async function setup(project: TestProject) {
  execFileSync('node', ['scripts/build-client.mjs'], { stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'rolebroker-e2e-'));
  stack = await startLocalStack({ localDir: dir });
  project.provide('stack', {
    brokerUrl: stack.brokerUrl,
    emulatorEndpoint: stack.emulatorEndpoint,
    localDir: stack.localDir,
    profileEnv: stack.profileEnv,
    example: stack.example,
  });
}

export async function teardown() {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: {
      brokerUrl: string;
      emulatorEndpoint: string;
      localDir: string;
      profileEnv: Record<string, string>;
      example: string;
    };
  }
}
