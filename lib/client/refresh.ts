/**
 * Credentials given to an AWS SDK keep more than this left: botocore refreshes below 15
 * minutes (its advisory window), the JavaScript SDK v3 below 5. The CLI's cache and the local
 * credential server hand out nothing closer to expiry.
 */
export const SDK_REFRESH_MARGIN_MS = 16 * 60_000;
