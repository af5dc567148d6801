// Every subcommand, one file each. A new command: add its file and one line here.
import type { RegisterCommand } from '../cli.js';
import { registerConfigCommand } from './config.js';
import { registerDemoCommand } from './demo.js';
import { registerDoctorCommand } from './doctor.js';
import { registerExplainCommand } from './explain.js';
import { registerHashPasswordCommand } from './hash-password.js';
import { registerStartCommand } from './start.js';
import { registerTestAuthCommand } from './test-auth.js';
import { registerUsersCommand } from './users.js';

export const COMMANDS: readonly RegisterCommand[] = [registerStartCommand, registerConfigCommand, registerHashPasswordCommand, registerTestAuthCommand, registerUsersCommand, registerDoctorCommand, registerExplainCommand, registerDemoCommand];
