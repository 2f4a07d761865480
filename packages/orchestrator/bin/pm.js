#!/usr/bin/env node
// Committed so pnpm can link the bin before dist/ exists; the CLI itself is built to dist/cli.js.
import '../dist/cli.js';
