import { Plan, type Partition } from '../../dataframe/plan.js';
import type { StructType } from '../../dataframe/types.js';

/**
 * withWatermark(eventTime, delay) (Spark's EventTimeWatermark): passes rows through unchanged; the streaming
 * executor reads the column's values for the watermark and the stateful operator above drops rows and state
 * older than it.
 */
export class WatermarkPlan extends Plan {
  readonly children: readonly Plan[];
  constructor(
    readonly child: Plan,
    readonly columnIndex: number,
    readonly delayMs: number,
  ) {
    super();
    this.children = [child];
  }
  get schema(): StructType {
    return this.child.schema;
  }
  get columnName(): string {
    return this.schema.fields[this.columnIndex]!.name;
  }
  partitions(): Promise<Partition[]> {
    return this.child.partitions();
  }
  describe(): string {
    return `EventTimeWatermark ${this.columnName}, ${this.delayMs} ms`;
  }
}
