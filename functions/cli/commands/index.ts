// Every `course` command, in the usage's order: writing a course, then running one.
import type { Command } from '../command.js';
import { check } from './check.js';
import { erase } from './erase.js';
import { exportCommand } from './export.js';
import { held } from './held.js';
import { importCommand } from './import.js';
import { migrateSuppressions } from './migrate-suppressions.js';
import { newCommand } from './new.js';
import { requeue } from './requeue.js';
import { sendTest } from './send-test.js';
import { show } from './show.js';
import { stats } from './stats.js';

export const COMMANDS: readonly Command[] = [
  newCommand,
  check,
  stats,
  exportCommand,
  show,
  erase,
  held,
  migrateSuppressions,
  requeue,
  importCommand,
  sendTest,
];
