// The ids the extension shares with package.json and VS Code: its commands, the context keys its
// menus' `when` clauses read, the panel's view type and the status bar item. No `vscode` here, so
// node:test holds them against package.json.

export const COMMANDS = Object.freeze({
  train: 'backpropMap.train',
  showPanel: 'backpropMap.showPanel',
  checkCurrentFile: 'backpropMap.checkCurrentFile',
  saveModel: 'backpropMap.saveModel',
  exportNumpy: 'backpropMap.exportNumpy',
  exportTorch: 'backpropMap.exportTorch',
  stopTraining: 'backpropMap.stopTraining',
  writeExercise: 'backpropMap.writeExercise',
  /** Behind the code lenses only (not in the command palette). */
  recheck: 'backpropMap.recheck',
  revealLine: 'backpropMap.revealLine',
});

/** Set with `setContext`; package.json's menus show commands by them. */
export const CONTEXT_KEYS = Object.freeze({
  /** A trained model is at hand (Save, Export). */
  hasModel: 'backpropMap.hasModel',
  /** A run is in progress (Stop Training). */
  training: 'backpropMap.training',
});

export const PANEL_VIEW_TYPE = 'backpropMap.panel';
export const STATUS_BAR_ITEM = 'backpropMap.training';
