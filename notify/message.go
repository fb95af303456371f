package notify

import (
	"bytes"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"

	"doorstep"
)

// Words of the mail, Chinese first and English after, as on the pages.
var (
	reportKinds = map[string][2]string{
		doorstep.ReportClosed: {"已关门", "Closed"}, "moved": {"搬走了", "Moved"}, "phone": {"电话不对", "Wrong phone"},
		"hours": {"开放时间不对", "Wrong hours"}, "other": {"其他", "Other"},
	}
	suggestionStates = map[string][2]string{
		doorstep.SuggestionReceived: {"已收到", "Received"}, doorstep.SuggestionAccepted: {"已受理", "Accepted"},
		doorstep.SuggestionInProgress: {"办理中", "In progress"},
	}
)

// word is key's word in language i (0 Chinese, 1 English), the key itself when unknown.
func word(words map[string][2]string, key string, i int) string {
	if w, ok := words[key]; ok {
		return w[i]
	}
	return key
}

// Subject is the mail's subject: the day and what needs attention.
func Subject(s *doorstep.Summary) string {
	newCount, overdue := s.Reports.New, s.Reports.Overdue
	if s.Suggestions != nil {
		newCount, overdue = newCount+s.Suggestions.New, overdue+s.Suggestions.Overdue
	}
	return fmt.Sprintf("家门口今日提醒 %s：新 %d 条，超期 %d 条 / Doorstep daily summary: %d new, %d overdue",
		s.Day, newCount, overdue, newCount, overdue)
}

// Body is the mail's text: the counts, then each new or overdue item, in
// Chinese and then in English, and where to sign in.
func Body(s *doorstep.Summary, publicURL string) string {
	var b strings.Builder
	page := "/staff"
	if s.Scope == doorstep.SummaryOffice {
		page = "/office"
	}
	for i := range 2 {
		if i == 1 {
			b.WriteString("\n----------------------------------------\n\n")
		}
		whose := s.OrganizationName
		if s.Scope == doorstep.SummaryOffice {
			whose = [2]string{"街道办事处", "Street office"}[i]
		}
		fmt.Fprintf(&b, [2]string{"%s · %s 今日提醒\n\n", "%s · daily summary, %s\n\n"}[i], whose, s.Day)
		fmt.Fprintf(&b, [2]string{"居民反映的问题：待处理 %d 条，新收到 %d 条，超过 %d 天未处理 %d 条\n",
			"Residents' reports: %d open, %d new, %[4]d open more than %[3]d days\n"}[i],
			s.Reports.Open, s.Reports.New, s.OverdueDays, s.Reports.Overdue)
		if c := s.Suggestions; c != nil {
			fmt.Fprintf(&b, [2]string{"意见建议：未办结 %d 条，新收到 %d 条，超过 %d 天未办结 %d 条\n",
				"Suggestions: %d open, %d new, %[4]d open more than %[3]d days\n"}[i], c.Open, c.New, s.OverdueDays, c.Overdue)
		}
		b.WriteString("\n")
		for _, it := range s.Items {
			var tags []string
			if it.New {
				tags = append(tags, [2]string{"新", "new"}[i])
			}
			if it.Overdue {
				tags = append(tags, fmt.Sprintf([2]string{"超期 %d 天", "%d days overdue"}[i], it.AgeDays))
			}
			kind, detail := [2]string{"信息有误", "Report"}[i], word(reportKinds, it.Detail, i)
			if it.Kind == "suggestion" {
				kind, detail = [2]string{"意见建议", "Suggestion"}[i], word(suggestionStates, it.Detail, i)
			}
			parts := []string{kind, oneLine(it.Title), detail, it.CreatedAt.Format(time.DateOnly)}
			if s.Scope == doorstep.SummaryOffice && it.OrganizationName != "" {
				parts = append(parts, it.OrganizationName)
			}
			fmt.Fprintf(&b, "- [%s] %s\n", strings.Join(tags, ", "), strings.Join(parts, " · "))
		}
		if publicURL != "" {
			fmt.Fprintf(&b, [2]string{"\n请登录处理：%s\n", "\nSign in to deal with them: %s\n"}[i], strings.TrimRight(publicURL, "/")+page)
		}
	}
	return b.String()
}

// oneLine keeps a title on its line of the mail.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Message is the whole mail from from to to, headers and body, the body as
// quoted-printable UTF-8 so that any server carries it, the subject encoded by RFC
// 2047. from and to are plain addresses (doorstep.ValidateEmail).
func Message(from, to string, s *doorstep.Summary, publicURL string, now time.Time) []byte {
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", from)
	header("To", to)
	header("Subject", mime.BEncoding.Encode("utf-8", Subject(s)))
	header("Date", now.Format(time.RFC1123Z))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(Body(s, publicURL), "\n", "\r\n")))
	qp.Close()
	return b.Bytes()
}
