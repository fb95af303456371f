package store_test

import (
	"context"
	"strings"
	"testing"

	"doorstep"
	"doorstep/store/storetest"
)

func TestSuggestionByToken(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	admin := storetest.MustCreateUser(t, db, "suggestion.admin", doorstep.RoleAdmin, 0)
	if err := db.AddSuggestionCategory(doorstep.NewContextWithUser(ctx, admin), "环境卫生"); err != nil {
		t.Fatal(err)
	}
	filed, token, err := db.CreateSuggestion(ctx, &doorstep.NewSuggestion{Title: "路灯不亮", Text: "弄堂口的路灯坏了", Category: "环境卫生"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := db.SuggestionByToken(ctx, token); err != nil || got.ID != filed.ID {
		t.Fatalf("by its own token: %+v, %v", got, err)
	}
	for _, tc := range []struct{ name, token string }{
		{"empty", ""},
		{"unknown", "nope"},
		{"overlong", strings.Repeat("A", 65)},
		{"own token made overlong", token + strings.Repeat("A", 65-len(token))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := db.SuggestionByToken(ctx, tc.token); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
				t.Errorf("got %+v, %v; want not found", got, err)
			}
		})
	}
}
