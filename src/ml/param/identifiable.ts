import { randomUUID } from 'node:crypto';

/**
 * Spark's Identifiable.randomUID: a prefix, an underscore and the last 12 hex digits of a random UUID. Eddy uses
 * the class name as the prefix ("DecisionTreeClassifier_4b2a9c1d03ef") so a uid read in a log says what it is.
 */
export function randomUID(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(-12)}`;
}
