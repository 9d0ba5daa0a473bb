/** The dashboard: one page per hash route, each drawing from the HTTP API only. */
import { bindTokenInput } from './api.js';
import { esc } from './format.js';
import { vmsPage, vmPage } from './pages/vms.js';
import { clusterPage } from './pages/cluster.js';
import { calibrationPage } from './pages/calibration.js';
import { simulationPage } from './pages/simulation.js';
import { predictPage } from './pages/predict.js';
import { advisePage } from './pages/advise.js';

const main = document.getElementById('page') as HTMLElement;
bindTokenInput(document.getElementById('token') as HTMLInputElement);

async function route(): Promise<void> {
  const [path, query] = (location.hash.replace(/^#/, '') || '/vms').split('?');
  const params = new URLSearchParams(query ?? '');
  const parts = path.split('/').filter(Boolean);
  main.dataset.ready = 'false';
  try {
    if (parts[0] === 'vms' && parts[1]) await vmPage(main, decodeURIComponent(parts[1]));
    else if (parts[0] === 'cluster') clusterPage(main);
    else if (parts[0] === 'calibration') await calibrationPage(main);
    else if (parts[0] === 'simulation') simulationPage(main, params);
    else if (parts[0] === 'predict') predictPage(main, params);
    else if (parts[0] === 'advise') advisePage(main, params);
    else await vmsPage(main);
  } catch (e) {
    main.innerHTML = `<p class="error">${esc((e as Error).message)}</p>`;
  }
  main.dataset.ready = 'true';
}
window.addEventListener('hashchange', () => void route());
void route();
