#!/usr/bin/env node
import 'reflect-metadata';
import { ConfigError } from '@pricelevel/platform';
import { runCli } from './cli.js';

runCli(process.argv.slice(2), process.env).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exitCode = 1;
  },
);
