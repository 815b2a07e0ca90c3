export { createGrantCache, type GrantCache } from './cache';
export { type Grant, parseGrant } from './schema';
export { selectGrant } from './select';
export { createGrantStore, type GrantSet, loadGrants, readGrantParameters } from './store';
