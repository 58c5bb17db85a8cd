package web

import (
	"strings"
	"testing"

	"kefu/server/desk"
	"kefu/server/i18n"
	"kefu/store"
)

// TestDecodeFramePreChat: the details a visitor gives before a chat are a frame of their own;
// every field is optional (the desk cleans and checks them).
func TestDecodeFramePreChat(t *testing.T) {
	f, err := DecodeFrame([]byte(`{"t":"prechat","name":"王小明","phone":"+86 138-0013-8000","email":"wang@example.cn","qq":"10001"}`))
	if err != nil || f.Name != "王小明" || f.Phone != "+86 138-0013-8000" || f.Email != "wang@example.cn" || f.QQ != "10001" {
		t.Fatalf("prechat: %+v %v", f, err)
	}
	if _, err := DecodeFrame([]byte(`{"t":"prechat"}`)); err != nil {
		t.Fatalf("empty prechat: %v", err)
	}
	for _, in := range []string{
		`{"t":"prechat","name":1}`,
		"{\"t\":\"prechat\",\"name\":\"\xff\"}",
		`{"t":"prechat","name":"` + strings.Repeat("名", MaxFrame/3) + `"}`,
	} {
		if _, err := DecodeFrame([]byte(in)); err == nil {
			t.Errorf("DecodeFrame(%.60q) accepted", in)
		}
	}
}

// TestSiteSettingsCarryPreChatAndCustomURL: the widget learns what to ask before a chat and
// where the chat window lives; pre_chat is a list even when the site asks nothing.
func TestSiteSettingsCarryPreChatAndCustomURL(t *testing.T) {
	got := siteSettings(&store.Site{Name: "云帆软件", Settings: store.SiteSettings{CustomURL: "https://chat.customer.cn/chat", PreChat: []string{"name", "qq"}}})
	if got.CustomURL != "https://chat.customer.cn/chat" || strings.Join(got.PreChat, ",") != "name,qq" {
		t.Fatalf("settings %+v", got)
	}
	if got := siteSettings(&store.Site{Name: "云帆软件"}); got.PreChat == nil || got.CustomURL != "" {
		t.Fatalf("settings of a site asking nothing %+v", got)
	}
}

func TestPreChatRefusalCodes(t *testing.T) {
	for err, code := range map[error]string{
		desk.ErrCardField{Field: "name"}: "prechat_too_long",
		desk.ErrBadPhone:                 "prechat_phone",
		desk.ErrBadEmail:                 "prechat_email",
		desk.ErrBadQQ:                    "prechat_qq",
		store.ErrNotFound:                "unavailable",
	} {
		if got := preChatRefusal(err); got != code {
			t.Errorf("preChatRefusal(%v) = %q, want %q", err, got, code)
		}
		if zh, en := i18n.Pair("visitor.err." + code); zh == "" || en == "" {
			t.Errorf("no text for visitor.err.%s", code)
		}
	}
}
