// Run in its own process by large_csv_loads_exactly_in_little_memory.test.ts, so that the
// peak resident memory it reports belongs to loading the file alone.
import { loadDatasetFile } from '../../src/data/csv';

const started = performance.now();
void loadDatasetFile(process.argv[2]!, {}).then((ds) => {
  const seconds = (performance.now() - started) / 1000;
  let ones = 0;
  for (const y of ds.Y.data) ones += y;
  const lastRow = ds.X.data.subarray((ds.X.rows - 1) * ds.X.cols);
  process.stdout.write(
    JSON.stringify({
      seconds,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      nx: ds.X.rows,
      m: ds.X.cols,
      ones,
      first: ds.X.data[0],
      last: lastRow[lastRow.length - 1],
      featureNames: [ds.featureNames[0], ds.featureNames[ds.featureNames.length - 1]],
    }),
  );
});
