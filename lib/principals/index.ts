export { type Caller, parseCallerArn, parseRoleArn, type RoleArn } from './caller';
export { type Partition, partitionOf } from './partition';
export { type PrincipalPattern, parsePrincipalPattern } from './pattern';
export { sessionNameFor } from './session-name';
