// suggestion-states.js — the names of a suggestion's states (sgState_<state>), shared
// by the residents' page /suggest and the office page.

import { addStrings } from './i18n.js';

addStrings({
  zh: {
    sgState_received: '已收到',
    sgState_accepted: '已受理',
    sgState_in_progress: '办理中',
    sgState_resolved: '已解决',
    sgState_not_feasible: '不可行（已说明）',
  },
  en: {
    sgState_received: 'Received',
    sgState_accepted: 'Accepted',
    sgState_in_progress: 'In progress',
    sgState_resolved: 'Resolved',
    sgState_not_feasible: 'Not feasible (explained)',
  },
});
