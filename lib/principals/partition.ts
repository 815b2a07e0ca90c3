/** The AWS partitions the broker serves; every ARN it reads names one of them. */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

export const PARTITIONS: ReadonlySet<Partition> = new Set<Partition>([
  'aws',
  'aws-cn',
  'aws-us-gov',
]);

/** The partition a region belongs to (cn-* and us-gov-* are their own; the rest is aws). */
export function partitionOf(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
