import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { DEFAULT_HYPER } from '../core/hyper';
import { DataError } from '../data/errors';
import { exerciseNotebook, exercisePython } from '../exercise/exercise';
import { type CommandSpec, UsageError, hiddenOption, intOption, langOption } from './args';
import { type Command, EXIT } from './command';
import { cannotCreate } from './files';

export const EXERCISE_SPEC: CommandSpec = {
  name: 'exercise',
  summary:
    'Writes OUT, a new Python file (or notebook) with the notes\' forward run for the given layer sizes and the backward pass left for you to write: ' +
    'each term of the backprop map is a `...` with its shape beside it. `backprop-map check OUT` then checks what you wrote. An existing file is never replaced.',
  positionals: [{ name: 'OUT', help: 'the file to write, e.g. my_backprop.py (or my_backprop.ipynb with --notebook)' }],
  options: {
    hidden: { value: '16,8', help: `hidden layer sizes (default ${DEFAULT_HYPER.hidden.join(',')}); one size gives the notes' backward_propagation, more give L_model_backward` },
    inputs: { value: 'N', help: 'n_x, the number of features (default 2, as the built-in datasets)' },
    notebook: { help: 'write a Jupyter notebook (.ipynb): a cell per step, with the notes\' equations above it' },
    lang: { value: 'en|de', help: 'language of the explanations (default: German when LC_ALL, LC_MESSAGES or LANG names German, else English)' },
  },
  notes: 'Exit status: 0 written, 2 usage error or the file exists already.',
};

export const exerciseCommand: Command = {
  spec: EXERCISE_SPEC,
  async run(args, ctx) {
    const out = args.positionals[0]!;
    const hidden = hiddenOption(args, DEFAULT_HYPER.hidden);
    const n_x = intOption(args, 'inputs', 2, 1, 4096);
    const lang = langOption(args, 'lang', process.env);
    const notebook = args.flags.has('notebook');
    const extension = notebook ? '.ipynb' : '.py';
    if (!out.toLowerCase().endsWith(extension)) {
      throw new UsageError(`${out}: ${notebook ? 'a notebook' : 'the exercise'} file must end in ${extension}${notebook ? '' : ' (for a notebook, add --notebook)'}.`);
    }
    const opts = { layerDims: [n_x, ...hidden, 1], lang };
    const text = notebook ? exerciseNotebook(opts, basename(out)) : exercisePython(opts, basename(out));
    try {
      // 'wx' creates the file or fails when it exists, in one step: nothing is ever replaced.
      await writeFile(out, text, { encoding: 'utf8', flag: 'wx' });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new DataError(`${out} exists already; an exercise never replaces a file. Choose another name, or delete ${out} first.`, { file: out });
      if (code === 'EISDIR') throw new DataError(`${out} is a folder; give a file name.`, { file: out });
      throw cannotCreate(out, e);
    }
    ctx.stdout.write(`Wrote ${out}: the network [${opts.layerDims.join(', ')}], ${hidden.length === 1 ? 'backward_propagation' : 'L_model_backward'} to write. Check it with: backprop-map check ${out}\n`);
    return EXIT.ok;
  },
};
