/**
 * The CLI. Where a new command goes:
 *
 * - A command is a folder under `commands/` named after it; `index.ts` exports `xCommand(): Command` and is added
 *   to `program()` below. A command with subcommands (`lab`, `history`) has one file per subcommand beside its
 *   `index.ts`, which only groups them (`commands/lab/run.ts` is `migcost lab run`).
 * - Each command file holds its options, description and `action`. The options are an `interface XFlags` of the
 *   values commander hands over already parsed: units, numbers and lists go through the argParsers of
 *   `options.ts` (`parsedOption('--memory <size>', ..., sizeArg('--memory'), '256MiB')`), which throw the
 *   InputError of src/units.ts naming the flag.
 * - The `action` only parses, calls library functions (src/model, src/plan, src/evaluate, src/lab, src/record,
 *   src/store, ...) and renders; tables and plots for people live in `render/`. Anything another command needs
 *   (loading records, fitting, running the lab) belongs in the library, not in a command file.
 * - Errors go through `exitWithError` (errors.ts): bad input exits 2 naming the field, a failed job exits 1.
 */
import { Command, CommanderError } from 'commander';
import { predictCommand } from './commands/predict/index.js';
import { adviseCommand } from './commands/advise/index.js';
import { labCommand } from './commands/lab/index.js';
import { sampleCommand } from './commands/sample/index.js';
import { historyCommand } from './commands/history/index.js';
import { evaluateCommand } from './commands/evaluate/index.js';
import { calibrateCommand } from './commands/calibrate/index.js';
import { modelsCommand } from './commands/calibrate/models.js';
import { planCommand } from './commands/plan/index.js';
import { simulateCommand } from './commands/simulate/index.js';
import { executeCommand } from './commands/execute/index.js';
import { watchCommand } from './commands/watch/index.js';
import { inventoryCommand } from './commands/inventory/index.js';
import { serveCommand } from './commands/serve/index.js';
import { offloadCommand } from './commands/offload/index.js';
import { agentCommand } from './commands/agent/index.js';
import { EXIT_BAD_INPUT, exitWithError } from './errors.js';
import { addHelpExtras } from './help.js';

/**
 * Every command, subcommands included, exits through main() instead of commander's own process.exit: its
 * parse errors (unknown option, missing argument or required option, a value outside --x's choices) exit 2 like
 * every other bad input, with a pointer to that command's --help.
 */
function exitThroughMain(cmd: Command, path: string): void {
  cmd.exitOverride().showHelpAfterError(`(${path} --help lists its options)`);
  for (const sub of cmd.commands) exitThroughMain(sub, `${path} ${sub.name()}`);
}

/** Builds the CLI: one folder per command under commands/. */
export function program(): Command {
  const cli = new Command('migcost')
    .description('predict, plan and measure live VM migrations')
    .version('0.1.0')
    .addCommand(predictCommand())
    .addCommand(adviseCommand())
    .addCommand(sampleCommand())
    .addCommand(labCommand())
    .addCommand(historyCommand())
    .addCommand(evaluateCommand())
    .addCommand(calibrateCommand())
    .addCommand(modelsCommand())
    .addCommand(planCommand())
    .addCommand(offloadCommand())
    .addCommand(simulateCommand())
    .addCommand(executeCommand())
    .addCommand(watchCommand())
    .addCommand(inventoryCommand())
    .addCommand(serveCommand())
    .addCommand(agentCommand());
  addHelpExtras(cli);
  exitThroughMain(cli, 'migcost');
  return cli;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (e) {
    // commander has printed its own error (or the help or version, exit code 0) already.
    if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : EXIT_BAD_INPUT);
    // An option's argParser threw (an InputError naming the flag): exit 2 like every other bad input.
    exitWithError(e);
  }
}
