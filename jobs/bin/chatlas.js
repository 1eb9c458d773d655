#!/usr/bin/env node
// The installed `chatlas` command. Node 24 runs the TypeScript sources directly (type stripping).
import { main } from '../cli.ts';

process.exitCode = await main(process.argv.slice(2));
