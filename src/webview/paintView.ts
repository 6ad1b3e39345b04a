/**
 * The panel's current view as a PNG. The visible part of the page is painted into a canvas from the
 * laid-out DOM: boxes (backgrounds, borders, outlines), text in its computed font and colour (KaTeX's
 * fonts are loaded in the document, so the canvas draws the very glyphs of the formulas), the panel's
 * own canvases (charts, boundary, heatmaps) and KaTeX's SVG pieces (arrows, tall brackets).
 *
 * No HTML is serialised into an image (an SVG foreignObject would need the stylesheets, which are
 * on another origin, and can taint the canvas), so the result is exact for what the panel draws:
 * boxes, text, canvases, SVG. What it leaves out: shadows, rounded corners, transforms, CSS-generated
 * content.
 */

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

const transparent = (color: string): boolean => color === 'transparent' || /^rgba\(.*,\s*0\)$/.test(color);

const intersects = (r: Box, vw: number, vh: number): boolean => r.left < vw && r.top < vh && r.left + r.width > 0 && r.top + r.height > 0;

/** KaTeX's SVGs take their colour from CSS (currentColor): as an image they need it as attributes. */
function svgImage(svg: SVGSVGElement, color: string, r: DOMRect): Promise<HTMLImageElement | null> {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(r.width));
  copy.setAttribute('height', String(r.height));
  copy.setAttribute('fill', color);
  copy.setAttribute('stroke', 'none');
  const img = new Image();
  return new Promise((resolve) => {
    img.onload = () => resolve(img);
    img.onerror = () => resolve(null);
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(copy))}`;
  });
}

function paintBox(ctx: CanvasRenderingContext2D, cs: CSSStyleDeclaration, r: DOMRect): void {
  if (!transparent(cs.backgroundColor)) {
    ctx.fillStyle = cs.backgroundColor;
    ctx.fillRect(r.left, r.top, r.width, r.height);
  }
  const side = (width: string, style: string, color: string, x: number, y: number, w: number, h: number): void => {
    if (style === 'none' || style === 'hidden' || transparent(color) || !(parseFloat(width) > 0)) return;
    ctx.fillStyle = color;
    ctx.fillRect(x, y, w, h);
  };
  const t = parseFloat(cs.borderTopWidth) || 0;
  const b = parseFloat(cs.borderBottomWidth) || 0;
  const l = parseFloat(cs.borderLeftWidth) || 0;
  const rt = parseFloat(cs.borderRightWidth) || 0;
  side(cs.borderTopWidth, cs.borderTopStyle, cs.borderTopColor, r.left, r.top, r.width, t);
  side(cs.borderBottomWidth, cs.borderBottomStyle, cs.borderBottomColor, r.left, r.bottom - b, r.width, b);
  side(cs.borderLeftWidth, cs.borderLeftStyle, cs.borderLeftColor, r.left, r.top, l, r.height);
  side(cs.borderRightWidth, cs.borderRightStyle, cs.borderRightColor, r.right - rt, r.top, rt, r.height);
  const ow = parseFloat(cs.outlineWidth) || 0;
  if (cs.outlineStyle !== 'none' && ow > 0 && !transparent(cs.outlineColor)) {
    const off = (parseFloat(cs.outlineOffset) || 0) + ow / 2;
    ctx.strokeStyle = cs.outlineColor;
    ctx.lineWidth = ow;
    ctx.strokeRect(r.left - off, r.top - off, r.width + 2 * off, r.height + 2 * off);
  }
}

/** Each word of a text node at the place the layout put it (a node may wrap over several lines). */
function paintText(ctx: CanvasRenderingContext2D, node: Text, cs: CSSStyleDeclaration, vw: number, vh: number): void {
  const text = node.data;
  if (!text.trim()) return;
  ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
  ctx.fillStyle = cs.color;
  ctx.textBaseline = 'alphabetic';
  const range = document.createRange();
  for (const m of text.matchAll(/\S+/g)) {
    range.setStart(node, m.index);
    range.setEnd(node, m.index + m[0].length);
    const rects = range.getClientRects();
    const r = rects[0];
    if (!r || rects.length > 1 || !intersects(r, vw, vh)) continue;
    const metrics = ctx.measureText(m[0]);
    // A text box's top is its baseline minus the font's ascent: the same metric the canvas uses.
    ctx.fillText(m[0], r.left, r.top + metrics.fontBoundingBoxAscent, r.width + 1);
  }
}

/** The visible part of the page as a PNG data URL, at the screen's pixel density (at most 2). */
export async function paintView(background: string): Promise<string> {
  const vw = document.documentElement.clientWidth;
  const vh = window.innerHeight;
  const scale = Math.min(2, Math.max(1, window.devicePixelRatio || 1));
  const out = document.createElement('canvas');
  out.width = Math.round(vw * scale);
  out.height = Math.round(vh * scale);
  const ctx = out.getContext('2d')!;
  ctx.scale(scale, scale);
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, vw, vh);

  // SVG images load asynchronously: all of them first, then the whole page in one synchronous pass.
  const svgs = new Map<SVGSVGElement, HTMLImageElement | null>();
  await Promise.all(
    Array.from(document.body.querySelectorAll('svg'), async (svg) => {
      const r = svg.getBoundingClientRect();
      if (r.width > 0 && r.height > 0 && intersects(r, vw, vh)) svgs.set(svg, await svgImage(svg, getComputedStyle(svg).color, r));
    }),
  );

  const walk = (e: Element, alpha: number): void => {
    const cs = getComputedStyle(e);
    if (cs.display === 'none' || cs.visibility === 'hidden') return;
    // Opacity (disabled buttons) multiplies down the tree.
    const a = alpha * (parseFloat(cs.opacity) || 0);
    if (a === 0) return;
    ctx.globalAlpha = a;
    const r = e.getBoundingClientRect();
    if (intersects(r, vw, vh)) paintBox(ctx, cs, r);
    if (e instanceof HTMLCanvasElement) {
      if (e.width > 0 && e.height > 0 && intersects(r, vw, vh)) ctx.drawImage(e, r.left, r.top, r.width, r.height);
      return;
    }
    if (e instanceof SVGSVGElement) {
      const img = svgs.get(e);
      if (img) ctx.drawImage(img, r.left, r.top, r.width, r.height);
      return;
    }
    // Content of a scrolled or clipping box shows only inside it.
    const clips = cs.overflowX !== 'visible' || cs.overflowY !== 'visible';
    if (clips) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(r.left, r.top, r.width, r.height);
      ctx.clip();
    }
    if (e instanceof HTMLSelectElement) {
      const option = e.selectedOptions[0];
      if (option) {
        ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
        ctx.fillStyle = cs.color;
        ctx.textBaseline = 'middle';
        ctx.fillText(option.text, r.left + (parseFloat(cs.paddingLeft) || 0) + (parseFloat(cs.borderLeftWidth) || 0), r.top + r.height / 2);
      }
    } else {
      for (const child of e.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) paintText(ctx, child as Text, cs, vw, vh);
        else if (child.nodeType === Node.ELEMENT_NODE) {
          walk(child as Element, a);
          ctx.globalAlpha = a;
        }
      }
    }
    if (clips) ctx.restore();
  };
  walk(document.body, 1);
  return out.toDataURL('image/png');
}
