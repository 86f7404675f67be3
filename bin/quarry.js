#!/usr/bin/env node
// The `quarry` command. The sources are TypeScript run through tsx, so there is no build step
// between a fresh clone and a running server.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
