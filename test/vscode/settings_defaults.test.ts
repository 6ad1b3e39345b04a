import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_HYPER } from '../../src/core/hyper';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const props = pkg.contributes.configuration.properties as Record<string, { default: unknown }>;

test("the settings' training defaults are the command line's defaults", () => {
  for (const [key, value] of Object.entries(DEFAULT_HYPER)) {
    assert.deepEqual(props[`backpropMap.training.${key}`]?.default, value, `backpropMap.training.${key}`);
  }
});

test('only the Python path is restricted in untrusted workspaces, and it is machine-overridable', () => {
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, ['backpropMap.checker.pythonPath']);
  assert.equal((props['backpropMap.checker.pythonPath'] as { scope?: string }).scope, 'machine-overridable');
});
