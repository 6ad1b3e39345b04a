// The backprop-map webview panel. It holds no copy of the run: whenever the webview (re)loads and
// says 'ready' — after being hidden and shown again, or after a window reload — it replays what its
// owner gives for the run so far. So the panel needs no retainContextWhenHidden.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { FromPanel, ToPanel } from '../protocol';
import { PANEL_VIEW_TYPE } from './ids';
import { panelHtml } from './panelHtml';

/** What the panel's owner provides: where the webview's messages go, and the run as messages. */
export interface PanelOwner {
  onMessage(m: FromPanel): void;
  /** The whole run so far, in the order the webview builds it up. */
  replay(): ToPanel[];
}

export class BackpropMapPanel {
  static readonly viewType = PANEL_VIEW_TYPE;
  static currentPanel?: BackpropMapPanel;

  private readonly disposables: vscode.Disposable[] = [];
  /** The webview has loaded and said 'ready' since it was last (re)created. */
  private live = false;
  private disposed = false;

  static createOrShow(extensionUri: vscode.Uri, owner: PanelOwner): BackpropMapPanel {
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    if (BackpropMapPanel.currentPanel) {
      BackpropMapPanel.currentPanel.panel.reveal(column, true);
      return BackpropMapPanel.currentPanel;
    }
    const panel = vscode.window.createWebviewPanel(BackpropMapPanel.viewType, 'Backprop Map', { viewColumn: column, preserveFocus: true }, BackpropMapPanel.options(extensionUri));
    return new BackpropMapPanel(panel, extensionUri, owner);
  }

  /** For the WebviewPanelSerializer: a panel VS Code restores after a window reload. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, owner: PanelOwner): BackpropMapPanel {
    BackpropMapPanel.currentPanel?.dispose();
    return new BackpropMapPanel(panel, extensionUri, owner);
  }

  private static options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly owner: PanelOwner,
  ) {
    BackpropMapPanel.currentPanel = this;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'backprop-map.svg');
    panel.webview.options = BackpropMapPanel.options(extensionUri);
    panel.webview.html = this.html();
    panel.webview.onDidReceiveMessage((m: FromPanel) => this.receive(m), null, this.disposables);
    panel.onDidChangeViewState(() => {
      // Hidden, the webview is torn down; shown again, it loads afresh and says 'ready'.
      if (!panel.visible) this.live = false;
    }, null, this.disposables);
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
  }

  /** Forwards a message of the run to the webview when it is live (else 'ready' replays it later). */
  post(message: ToPanel): void {
    if (this.live) void this.panel.webview.postMessage(message);
  }

  /** The whole run again, for a live webview whose owner's run has changed under it (restored). */
  refresh(): void {
    if (this.live) this.replay();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (BackpropMapPanel.currentPanel === this) BackpropMapPanel.currentPanel = undefined;
    this.live = false;
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }

  private receive(m: FromPanel): void {
    if (m?.type === 'ready') {
      this.live = true;
      this.replay();
    }
    this.owner.onMessage(m);
  }

  private replay(): void {
    for (const m of this.owner.replay()) void this.panel.webview.postMessage(m);
  }

  private html(): string {
    const webview = this.panel.webview;
    const asset = (...p: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...p)).toString();
    return panelHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(18).toString('base64'),
      scriptUri: asset('dist', 'webview', 'webview.js'),
      katexCssUri: asset('dist', 'webview', 'katex', 'katex.min.css'),
      panelCssUri: asset('media', 'panel.css'),
      lang: vscode.env.language,
    });
  }
}
