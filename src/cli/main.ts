import { Command } from 'commander';
import { predictCommand } from './commands/predict.js';
import { labCommand } from './commands/lab.js';
import { sampleCommand } from './commands/sample.js';
import { historyCommand } from './commands/history.js';
import { calibrateCommand, modelsCommand } from './commands/calibrate.js';
import { planCommand } from './commands/plan.js';
import { simulateCommand } from './commands/simulate.js';
import { executeCommand } from './commands/execute.js';
import { serveCommand } from './commands/serve.js';
import { offloadCommand } from './commands/offload.js';
import { agentCommand } from './commands/agent.js';

/** Builds the CLI; commands are one file each under commands/. */
export function program(): Command {
  return new Command('migcost')
    .description('predict, plan and measure live VM migrations')
    .version('0.1.0')
    .showHelpAfterError()
    .addCommand(predictCommand())
    .addCommand(sampleCommand())
    .addCommand(labCommand())
    .addCommand(historyCommand())
    .addCommand(calibrateCommand())
    .addCommand(modelsCommand())
    .addCommand(planCommand())
    .addCommand(offloadCommand())
    .addCommand(simulateCommand())
    .addCommand(executeCommand())
    .addCommand(serveCommand())
    .addCommand(agentCommand());
}

export async function main(argv: string[]): Promise<void> {
  await program().parseAsync(argv);
}
