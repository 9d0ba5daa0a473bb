/** Vega-Lite charts through vega-embed, rendered as SVG. */
import embed from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';

export async function chart(el: HTMLElement, spec: TopLevelSpec): Promise<void> {
  await embed(el, spec, { renderer: 'svg', actions: false });
}

/** A container div for one chart, appended to `parent`. */
export function chartBox(parent: HTMLElement, id: string, title: string): HTMLElement {
  const h = document.createElement('h3');
  h.textContent = title;
  const d = document.createElement('div');
  d.className = 'chart';
  d.id = id;
  parent.append(h, d);
  return d;
}
