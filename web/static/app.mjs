/* global document */
// Progressive enhancement only: every page works without this script (the worklist's headers sort by links, the
// server's order over every page; with this script the MoJ sortable table's buttons sort the page shown).
import { initAll } from '/assets/govuk/govuk-frontend.min.js';
import { initAll as initMoj } from '/assets/moj/all.bundle.mjs';

document.body.classList.add('js-enabled', 'govuk-frontend-supported');
initAll();
initMoj();
