// The banner under the header: an error interrupts (a screen reader says it at once), a notice waits its turn.
import { translator } from '../i18n';
import type { View } from './view';

export function bannerView(region: HTMLElement): View {
  return {
    deps: (s) => [s.banner],
    render(s) {
      const b = s.banner;
      region.hidden = b === null;
      if (!b) return;
      region.className = `banner ${b.kind}`;
      region.setAttribute('role', b.kind === 'error' ? 'alert' : 'status');
      region.textContent = b.kind === 'error' ? `${translator(s.locale)('error')}: ${b.message}` : b.message;
    },
  };
}
