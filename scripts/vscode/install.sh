#!/usr/bin/env bash
# Installs code-server 4.100.3 (a real VS Code 1.100 that runs offline, driven by a browser) into a
# cache outside the repository, for the tests in test/vscode/. Idempotent: a finished install is
# marked by `.complete` and reused; an interrupted one is built in a scratch folder and never seen.
# code-server's own postinstall downloads ripgrep and prebuilt binaries from GitHub, so scripts are
# turned off and the native parts are built from source (needs build-essential, python3, libkrb5-dev,
# ripgrep). Prints the install folder on success.
set -euo pipefail

VERSION=4.100.3
DIR="${BACKPROP_MAP_CODE_SERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/backprop-map/code-server-$VERSION}"

if [ -f "$DIR/.complete" ]; then echo "$DIR"; exit 0; fi

for tool in rg g++ make python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "code-server install needs '$tool': apt-get install build-essential python3 libkrb5-dev ripgrep" >&2
    exit 1
  fi
done

mkdir -p "$(dirname "$DIR")"
# One install at a time: a second caller waits for the first and then reuses its result.
exec 9>"$DIR.lock"
flock 9
if [ -f "$DIR/.complete" ]; then echo "$DIR"; exit 0; fi

WORK="$DIR.partial"
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"
log() { echo "[code-server install] $*" >&2; }

export npm_config_nodedir=/usr   # node-gyp: use the local Node headers instead of downloading them
export npm_config_yes=true       # node-pty's build runs `npx node-gyp`
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
export npm_config_loglevel=error

log "npm install code-server@$VERSION (scripts off)"
printf '{ "name": "code-server-cache", "private": true }\n' > package.json
npm install --ignore-scripts --no-save "code-server@$VERSION" >&2
log "building argon2 from source"
npm_config_build_from_source=argon2 npm rebuild argon2 >&2

cd node_modules/code-server/lib/vscode
log "installing VS Code's own dependencies"
npm install --omit=dev --ignore-scripts >&2
# @vscode/ripgrep's postinstall skips its download when bin/ exists: give it Debian's rg.
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
log "building native modules from source"
npm_config_build_from_source=kerberos npm rebuild >&2
ln -sfn node_modules node_modules.asar
ln -sfn code-linux.sh bin/remote-cli/code-server
ln -sfn browser-linux.sh bin/helpers/browser.sh
log "installing built-in extensions' dependencies"
(cd extensions && npm install --omit=dev >&2)

cd "$WORK"
node_modules/.bin/code-server --version >&2
touch .complete
rm -rf "$DIR"
mv "$WORK" "$DIR"
echo "$DIR"
