// speech.js — 朗读 / read aloud: a listing read out by the browser's speech synthesis,
// in a Chinese voice (English in English mode). Where the browser cannot speak, the
// page shows no button for it.

import { lang } from './i18n.js';

/** canSpeak is true where the browser has speech synthesis. */
export function canSpeak() {
  return 'speechSynthesis' in window && typeof window.SpeechSynthesisUtterance === 'function';
}

/** speak reads text aloud, a little slower than usual, stopping anything still being read. */
export function speak(text) {
  const u = new window.SpeechSynthesisUtterance(text);
  u.lang = lang() === 'en' ? 'en-GB' : 'zh-CN';
  u.rate = 0.9;
  window.speechSynthesis.cancel();
  window.speechSynthesis.speak(u);
}
