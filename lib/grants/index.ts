export {
  type Authorization,
  authorize,
  DEFAULT_DURATION_SECONDS,
  formatInstant,
  MIN_DURATION_SECONDS,
  rolesFor,
  selectGrant,
} from './authorize';
export { createGrantCache, createGrantStore, type GrantCache } from './cache';
export { GRANT_NAME, type Grant, type GrantParseResult, parseGrant } from './schema';
export { checkSessionPolicy, MAX_PACKED_POLICY_CHARS } from './session-policy';
export {
  type GrantParameter,
  type GrantSet,
  loadGrants,
  parseGrantParameter,
  readGrantParameters,
} from './store';
