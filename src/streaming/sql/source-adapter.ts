import { EddyError } from '../../common/errors.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import type { DataFrameEnv } from '../../dataframe/env.js';
import { collectBatch } from '../../dataframe/plan.js';
import type { StructType } from '../../dataframe/types.js';
import type { PluginSource } from '../../plugins/types.js';
import type { SourceContext, StreamSource } from '../contracts.js';
import { materialized } from './dataframe-stream-plan.js';

/**
 * A plugin's source as the engine sees it: every batch is materialized once (so the plan may read it more than
 * once and progress can count it) and checked against the schema the DataFrame was analysed with.
 */
export class SourceAdapter implements StreamSource<DataFrame> {
  readonly description: string;
  constructor(
    private readonly source: PluginSource,
    private readonly schema: StructType,
    private readonly env: DataFrameEnv,
  ) {
    this.description = source.description;
    // Present only when the plugin's source has it: the engine polls sources that cannot wait for data.
    if (source.awaitData) this.awaitData = (start, maxWaitMs) => source.awaitData!(start, maxWaitMs);
  }
  readonly awaitData?: (start: string | null, maxWaitMs: number) => Promise<void>;
  initialize(ctx: SourceContext): Promise<void> {
    return this.source.initialize?.(ctx) ?? Promise.resolve();
  }
  latestOffset(start: string | null): Promise<string | null> {
    return this.source.latestOffset(start);
  }
  async prepareForTriggerAvailableNow(): Promise<void> {
    await this.source.prepareForTriggerAvailableNow?.();
  }
  async getBatch(start: string | null, end: string | null): Promise<DataFrame> {
    const df = await this.source.getBatch(start, end);
    const batch = await collectBatch(df.plan);
    const got = batch.schema;
    if (
      got.fields.length !== this.schema.fields.length ||
      got.fields.some((f, i) => f.dataType.kind !== this.schema.fields[i]!.dataType.kind)
    ) {
      throw new EddyError(
        'INTERNAL',
        `source ${this.description} returned rows of schema ${got.simpleString()} where it declared ` +
          `${this.schema.simpleString()}; this is a bug in the source plugin`,
      );
    }
    return materialized(batch, this.env);
  }
  commit(end: string): Promise<void> {
    return this.source.commit(end);
  }
  stop(): Promise<void> {
    return this.source.stop();
  }
}
