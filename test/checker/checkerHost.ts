// The checker's host in a process of its own, as the extension host is, for tests that end the
// host as only another process can: `node checkerHost.js exit` starts a checker and exits without
// disposing of it; `node checkerHost.js wait` starts one and waits to be killed.
import { CheckerRunner } from '../../src/checker/runner';
import { testPython } from './checkerTestSupport';

const runner = new CheckerRunner({ python: testPython() });
void runner.warmUp().then(() => {
  process.stdout.write('ready\n');
  if (process.argv[2] === 'exit') process.exit(0);
  setInterval(() => {}, 60_000);
});
