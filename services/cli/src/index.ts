export { main } from './main.js';
export { ExitCode, CliUsageError, type Cli, type CliIo, type RegisterCommand } from './cli.js';
export { ROLE_STARTERS, roleStarter } from './roles.js';
