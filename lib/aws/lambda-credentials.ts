import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in Lambda bundles (see
 * scripts/sls/esbuild.cjs): a function's execution-role credentials are always in its
 * environment, so the SDK's environment provider is the whole chain there.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
