// The backprop-map webview panel. The host keeps the run's state (run info, epoch history, the
// latest snapshot, boundary, mode, result and gradient check) and replays it whenever the webview
// (re)loads and says 'ready': after being hidden and shown again, or after a window reload. So the
// panel needs no retainContextWhenHidden.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Boundary, EpochPoint, FromPanel, GradCheckResult, MapSnapshot, RunResult, ToPanel } from '../protocol';
import { panelHtml } from '../webview/html';

interface PanelState {
  run: Extract<ToPanel, { type: 'run' }> | null;
  points: EpochPoint[];
  snapshot: MapSnapshot | null;
  boundary: Boundary | null;
  mode: Extract<ToPanel, { type: 'mode' }>['mode'] | null;
  result: RunResult | null;
  gradcheck: GradCheckResult | null;
  error: string | null;
  notice: string | null;
}

const emptyState = (): PanelState => ({ run: null, points: [], snapshot: null, boundary: null, mode: null, result: null, gradcheck: null, error: null, notice: null });

export class BackpropMapPanel {
  static readonly viewType = 'backpropMap.panel';
  static currentPanel?: BackpropMapPanel;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose: vscode.Event<void> = this.disposeEmitter.event;
  private state: PanelState = emptyState();
  /** The webview has loaded and said 'ready' since it was last (re)created. */
  private live = false;
  private disposed = false;

  static createOrShow(extensionUri: vscode.Uri, onMessage: (m: FromPanel) => void): BackpropMapPanel {
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    if (BackpropMapPanel.currentPanel) {
      BackpropMapPanel.currentPanel.panel.reveal(column, true);
      return BackpropMapPanel.currentPanel;
    }
    const panel = vscode.window.createWebviewPanel(BackpropMapPanel.viewType, 'Backprop Map', { viewColumn: column, preserveFocus: true }, BackpropMapPanel.options(extensionUri));
    return new BackpropMapPanel(panel, extensionUri, onMessage);
  }

  /** For the WebviewPanelSerializer: a panel VS Code restores after a window reload. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, onMessage: (m: FromPanel) => void): BackpropMapPanel {
    BackpropMapPanel.currentPanel?.dispose();
    return new BackpropMapPanel(panel, extensionUri, onMessage);
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
    private readonly onMessage: (m: FromPanel) => void,
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

  /** Records the message in the host's state and forwards it to the webview when it is live. */
  post(message: ToPanel): void {
    const s = this.state;
    switch (message.type) {
      case 'run':
        this.state = { ...emptyState(), run: message };
        break;
      case 'epochs':
        s.points.push(...message.points);
        break;
      case 'snapshot':
        s.snapshot = message.snapshot;
        break;
      case 'boundary':
        s.boundary = message.boundary;
        break;
      case 'mode':
        s.mode = message.mode;
        if (message.mode !== 'finished') s.result = null;
        break;
      case 'finished':
        s.result = message.result;
        break;
      case 'gradcheck':
        s.gradcheck = message.result;
        break;
      case 'error':
        s.error = message.message;
        break;
      case 'notice':
        s.notice = message.message;
        break;
    }
    if (this.live) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (BackpropMapPanel.currentPanel === this) BackpropMapPanel.currentPanel = undefined;
    this.live = false;
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }

  private receive(m: FromPanel): void {
    if (m?.type === 'ready') {
      this.live = true;
      this.replay();
    }
    this.onMessage(m);
  }

  /** The whole state, in the order the webview builds it up. */
  private replay(): void {
    const s = this.state;
    const messages: ToPanel[] = s.run ? [s.run] : [];
    if (s.points.length) messages.push({ type: 'epochs', points: s.points });
    if (s.snapshot) messages.push({ type: 'snapshot', snapshot: s.snapshot });
    if (s.boundary) messages.push({ type: 'boundary', boundary: s.boundary });
    if (s.mode) messages.push({ type: 'mode', mode: s.mode });
    if (s.result) messages.push({ type: 'finished', result: s.result });
    if (s.gradcheck) messages.push({ type: 'gradcheck', result: s.gradcheck });
    if (s.error) messages.push({ type: 'error', message: s.error });
    if (s.notice) messages.push({ type: 'notice', message: s.notice });
    for (const m of messages) void this.panel.webview.postMessage(m);
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
