import { SCRIPT_KINDS, type ScriptKind, pythonScript } from '../export/pythonScript';
import { type CommandSpec, type ParsedArgs, UsageError } from './args';
import { type CliContext, type Command, EXIT } from './command';
import { checkOutputPath, readModelFile, writeTextFile } from './files';

export const EXPORT_SPEC: CommandSpec = {
  name: 'export',
  summary:
    'Writes a saved model as a standalone Python script that predicts on a CSV file exactly like predict: the notes\' forward run in numpy (--to numpy) or a PyTorch nn.Module with the weights loaded (--to torch).',
  positionals: [{ name: 'MODEL.json', help: 'a model file written by train --save' }],
  options: {
    to: { value: 'numpy|torch', help: 'the kind of script (required)' },
    out: { value: 'FILE.py', help: 'write the script to this file instead of stdout; an existing file is replaced, except the model file itself' },
  },
  notes: 'Example:\n  backprop-map export model.json --to numpy --out model.py\n  python3 model.py new.csv > predictions.csv',
};

async function runExport(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const [modelPath] = args.positionals as [string];
  const to = args.values.get('to');
  if (to === undefined) throw new UsageError(`export needs --to numpy or --to torch.`);
  if (!(SCRIPT_KINDS as readonly string[]).includes(to)) {
    throw new UsageError(`--to must be ${SCRIPT_KINDS.join(' or ')}, got ${JSON.stringify(to)}.`);
  }
  const out = args.values.get('out');
  if (out !== undefined) await checkOutputPath(out, '--out', [{ path: modelPath, what: 'the model file' }]);
  const { model } = await readModelFile(modelPath);
  const script = pythonScript(to as ScriptKind, model);
  if (out === undefined) ctx.stdout.write(script);
  else await writeTextFile(out, script, '--out');
  return EXIT.ok;
}

export const exportCommand: Command = { spec: EXPORT_SPEC, run: runExport };
