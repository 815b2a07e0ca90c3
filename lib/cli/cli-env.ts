// Names the CLI keeps in its own environment. A leaf module (no commander): quiet.ts and the
// cache's fast path import it before anything else loads.

/**
 * Set in the CLI's own environment to the profile it is resolving caller credentials for
 * (AWS_PROFILE, or `default`), so that a credential_process the SDK starts sees it. A CLI
 * started with it, about to resolve the same profile, is a credential_process calling
 * rolebroker again (it would loop forever): it refuses (exit 2).
 */
export const RESOLVING_CALLER_ENV = 'ROLEBROKER_RESOLVING_CALLER';

/**
 * Variables the CLI put into its own environment that the user did not set (lib/cli/quiet.ts
 * adds them). childEnv removes them, and the credential_process marker, from the
 * environment of a program the CLI starts for the user (the browser, `exec`'s command).
 */
export const CLI_SET_ENV = new Set<string>();
