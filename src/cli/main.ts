import { Command, CommanderError } from 'commander';
import { EddyError } from '../common/errors.js';
import { eddyVersion } from '../common/paths.js';
import { registerBroker } from './broker.js';
import { registerConsoleConsumer } from './console-consumer.js';
import { registerConsoleProducer } from './console-producer.js';
import { registerConsumerGroups } from './consumer-groups.js';
import { registerDemo } from './demo.js';
import { registerFs } from './fs.js';
import { registerServe } from './serve.js';
import { registerStream } from './stream.js';
import { registerTopics } from './topics.js';
import { registerTrain } from './train.js';

/** Builds the `eddy` program; exported so tests can drive it without a child process. */
export function buildProgram(): Command {
  const program = new Command('eddy')
    .description(
      'Eddy: machine learning on streams — a Kafka-protocol broker, an HDFS-like store, DataFrames, ML pipelines and streaming',
    )
    .version(eddyVersion(), '-V, --version', 'print the version of Eddy')
    .showHelpAfterError('(run "eddy --help" or "eddy <command> --help" for usage)')
    .showSuggestionAfterError(true);
  registerDemo(program);
  registerBroker(program);
  registerFs(program);
  registerTopics(program);
  registerConsoleProducer(program);
  registerConsoleConsumer(program);
  registerConsumerGroups(program);
  registerTrain(program);
  registerStream(program);
  registerServe(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are "errors" to commander; their text is already printed.
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help'
        ? 0
        : e.exitCode || 2;
    }
    if (e instanceof EddyError) {
      process.stderr.write(`eddy: ${e.message}\n`);
      return e.code === 'USAGE' || e.code === 'INVALID_ARGUMENT' ? 2 : 1;
    }
    process.stderr.write(`eddy: unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
