import type { TestProject } from 'vitest/node';
import { type Emulator, startEmulator } from '../../scripts/emulator';

let emulator: Emulator | undefined;

/** One moto server for the integration project; each test file resets and seeds it. */
export async function setup(project: TestProject) {
  emulator = await startEmulator();
  project.provide('motoEndpoint', emulator.endpoint);
}

export async function teardown() {
  await emulator?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}
