/** `migcost lab`: real QEMU live migrations on this machine, held against the predictions; one file per subcommand. */
import { Command } from 'commander';
import { labRunCommand } from './run.js';
import { labMatrixCommand } from './matrix.js';
import { labReportCommand } from './report.js';
import { labCalibrateCommand } from './calibrate.js';
import { labDecideCommand } from './decide.js';

export function labCommand(): Command {
  return new Command('lab')
    .description('real QEMU live migrations on this machine, held against the predictions')
    .addCommand(labRunCommand())
    .addCommand(labMatrixCommand())
    .addCommand(labReportCommand())
    .addCommand(labCalibrateCommand())
    .addCommand(labDecideCommand());
}
