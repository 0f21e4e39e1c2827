// Starts GOV.UK Frontend's components (error summary focus, header menu, and so on).
import { initAll } from '/assets/govuk-frontend/govuk-frontend.min.js';
initAll();
