// A vitest setup file (vitest.config.ts): each test file starts with an empty SES emulator store.
// aws-ses-v2-local keeps the emails it receives in one module-level store, shared by every emulator
// server of a process. With shared modules (isolate: false) the test files of one worker run one
// after another in one process, so without this a file would see the emails of the files before it;
// emptied here, each file starts as it did with a fresh module, as an emulator of its own would.
import { clearStore } from 'aws-ses-v2-local/dist/store.js';
import { beforeAll } from 'vitest';

beforeAll(() => {
  clearStore();
});
