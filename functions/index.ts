// The deployed entry point: configuration parsed once at start-up, then the `backup`, `verify`, `retention`,
// `restore`, `list`, `status`, `doctor` and `binlogs` targets.
import { http } from '@google-cloud/functions-framework';
import { loadFunctionConfig } from './config/parse.js';
import { answerRefusalsAsJsonOnEveryServer } from './http/framework-refusals.js';
import {
  createBackupHandler,
  createBinlogsHandler,
  createDoctorHandler,
  createListHandler,
  createRestoreHandler,
  createRetentionHandler,
  createStatusHandler,
  createVerifyHandler,
} from './http/handlers.js';
import { createCloudLogger } from './logging/logger.js';
import { createDefaultDeps } from './run/deps.js';

function configuration() {
  try {
    return loadFunctionConfig(process.env);
  } catch (error) {
    // Logged as an alerting event before the instance fails to start, so the admin hears of it by the backstop.
    createCloudLogger({ project: process.env.GOOGLE_CLOUD_PROJECT }).unexpected('config.invalid', error);
    throw error;
  }
}

const config = configuration();
const deps = createDefaultDeps(config);

http('backup', createBackupHandler(config, deps));
http('verify', createVerifyHandler(config, deps));
http('retention', createRetentionHandler(config, deps));
http('restore', createRestoreHandler(config, deps));
http('list', createListHandler(config, deps));
http('status', createStatusHandler(config, deps));
http('doctor', createDoctorHandler(config, deps));
http('binlogs', createBinlogsHandler(config, deps));
// The framework's own refusals (a body that is not JSON, …) in the same JSON shape as the handlers'.
answerRefusalsAsJsonOnEveryServer(deps.logger);
