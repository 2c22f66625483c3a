// The deployed entry point: configuration parsed once at start-up, then the `backup` and `verify` targets.
import { http } from '@google-cloud/functions-framework';
import { loadFunctionConfig } from './config/parse.js';
import { createDefaultDeps } from './deps.js';
import { createBackupHandler, createVerifyHandler } from './handlers.js';

// A bad configuration throws here, so the instance fails to start with the ConfigError naming the field.
const config = loadFunctionConfig(process.env);
const deps = createDefaultDeps(config);

http('backup', createBackupHandler(config, deps));
http('verify', createVerifyHandler(config, deps));
