/** Header carrying the caller's signed GetCallerIdentity request in `sts` mode. */
export const IDENTITY_HEADER = 'x-rolebroker-identity';

/**
 * Header the caller must sign into its GetCallerIdentity request, set to the broker's
 * server id, so that a token minted for one broker cannot be replayed against another.
 */
export const SERVER_ID_HEADER = 'x-rolebroker-server-id';
