// card.js — the 家门口服务卡 page: a 打印 / Print button that opens the browser's
// print dialog (the card is made to fill one A5 page). Without JavaScript the
// browser's own print command does the same.
const button = document.getElementById('print-button');
if (button) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
