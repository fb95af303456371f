package server

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// shotEveryScreen saves, under $DOORSTEP_SCREENSHOTS when set, what the screen shows
// with the element the CSS selector names scrolled to its top, in normal and elder
// mode on the 360×740 phone and the 1280×800 desk, as name-mode-width.png; then it
// leaves the page in normal mode on the screen after.
func shotEveryScreen(t *testing.T, ctx context.Context, name, selector string, after a11yScreen) {
	t.Helper()
	if os.Getenv("DOORSTEP_SCREENSHOTS") == "" {
		return
	}
	mode := func(elder bool) {
		t.Helper()
		browserRun(t, ctx, "mode", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		  if (document.documentElement.classList.contains('elder') !== %t) document.getElementById('mode-toggle').click();
		})()`, elder)))
	}
	for _, s := range []a11yScreen{a11yPhone, a11yDesktop} {
		for _, m := range []string{"normal", "elder"} {
			s.emulate(t, ctx)
			mode(m == "elder")
			browserRun(t, ctx, "scroll to "+selector, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
				`document.querySelector(%q).scrollIntoView({block: 'start', behavior: 'instant'})`, selector)))
			browserRun(t, ctx, "settle", chromedp.Sleep(400*time.Millisecond))
			pageShot(t, ctx, fmt.Sprintf("%s-%s-%s", name, m, s.name))
		}
	}
	mode(false)
	after.emulate(t, ctx)
}
