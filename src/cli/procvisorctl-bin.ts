#!/usr/bin/env node
// Thin executable wrapper: runs procvisorctl and sets process.exitCode.
// (dist/cli/procvisorctl.js is itself executable too; package.json's bin points there.)

import { runCli } from './procvisorctl.js';

await runCli();
