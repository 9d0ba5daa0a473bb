/** `migcost history`: the recorded migrations; one file per subcommand. */
import { Command } from 'commander';
import { historyExportCommand } from './export.js';
import { historyImportCommand } from './import.js';

export function historyCommand(): Command {
  return new Command('history').description('the recorded migrations').addCommand(historyImportCommand()).addCommand(historyExportCommand());
}
