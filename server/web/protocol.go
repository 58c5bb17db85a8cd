package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"kefu/server/desk"
)

// Frame is one decoded client → server frame of the visitor protocol (widget/PROTOCOL.md).
// Fields not used by a frame's type are zero.
type Frame struct {
	T      string      `json:"t"`
	Vid    string      `json:"vid,omitempty"`
	Kind   string      `json:"kind,omitempty"`
	Page   *FramePage  `json:"page,omitempty"`
	Resume *FrameSeq   `json:"resume,omitempty"`
	Member *FrameIdent `json:"member,omitempty"`
	CID    string      `json:"cid,omitempty"`
	Text   string      `json:"text,omitempty"`
	Accept *bool       `json:"accept,omitempty"`
	Conv   uint64      `json:"conv,omitempty"`
	After  uint64      `json:"after,omitempty"`
	Stars  int         `json:"stars,omitempty"`
	Name   string      `json:"name,omitempty"`
	Phone  string      `json:"phone,omitempty"`
	Email  string      `json:"email,omitempty"`
	QQ     string      `json:"qq,omitempty"`
}

// FramePage is a page as the browser reports it.
type FramePage struct {
	URL   string `json:"url"`
	Title string `json:"title"`
	Ref   string `json:"ref"`
}

// FrameSeq names a position in a conversation.
type FrameSeq struct {
	Conv uint64 `json:"conv"`
	Seq  uint64 `json:"seq"`
}

// FrameIdent is a member identity signed by the site.
type FrameIdent struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	TS   int64  `json:"ts"`
	Sig  string `json:"sig"`
}

// MaxFrame is the largest frame a visitor may send.
const MaxFrame = 16 << 10

// errBadFrame is every decoding refusal; the visitor sees "bad_request".
var errBadFrame = errors.New("bad frame")

// DecodeFrame parses and validates a client frame. It never trusts the browser: unknown types,
// oversized fields and invalid UTF-8 are refused.
func DecodeFrame(data []byte) (Frame, error) {
	var f Frame
	if len(data) > MaxFrame {
		return f, fmt.Errorf("%w: %d bytes", errBadFrame, len(data))
	}
	if !utf8.Valid(data) {
		return f, fmt.Errorf("%w: invalid UTF-8", errBadFrame)
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return Frame{}, fmt.Errorf("%w: %v", errBadFrame, err)
	}
	switch f.T {
	case "hello":
		if f.Kind != "page" && f.Kind != "chat" {
			return Frame{}, fmt.Errorf("%w: kind %q", errBadFrame, f.Kind)
		}
	case "msg":
		if f.CID == "" || len(f.CID) > 64 {
			return Frame{}, fmt.Errorf("%w: cid", errBadFrame)
		}
	case "rate":
		if f.Stars < 1 || f.Stars > 5 {
			return Frame{}, fmt.Errorf("%w: stars %d", errBadFrame, f.Stars)
		}
	case "invite":
		if f.Accept == nil {
			return Frame{}, fmt.Errorf("%w: accept missing", errBadFrame)
		}
	case "pv":
		if f.Page == nil {
			return Frame{}, fmt.Errorf("%w: page missing", errBadFrame)
		}
	case "hb", "chat", "typing", "end", "sync", "leave", "prechat":
	default:
		return Frame{}, fmt.Errorf("%w: type %q", errBadFrame, f.T)
	}
	return f, nil
}

// Server → client frames.

type outWelcome struct {
	T        string       `json:"t"`
	Vid      string       `json:"vid"`
	Visit    int          `json:"visit"`
	Online   bool         `json:"online"`
	Settings outSettings  `json:"settings"`
	Conv     *outConvInfo `json:"conv"`
}

type outSettings struct {
	Title      string `json:"title"`
	Welcome    string `json:"welcome"`
	Color      string `json:"color"`
	IconText   string `json:"icon_text"`
	IconPos    string `json:"icon_pos"`
	InviteText string `json:"invite_text"`
	// CustomURL is where the widget loads the chat window from, when the site has its own
	// address for it (自定义URL); empty for kefu's /chat.
	CustomURL string `json:"custom_url"`
	// PreChat lists what the chat window asks before a visitor's first chat: "name",
	// "phone", "email", "qq" (访客注册设置); never null.
	PreChat []string `json:"pre_chat"`
}

// preChatRefusal is the error code a visitor sees when what they gave before a chat is
// refused.
func preChatRefusal(err error) string {
	var long desk.ErrCardField
	switch {
	case errors.As(err, &long):
		return "prechat_too_long"
	case errors.Is(err, desk.ErrBadPhone):
		return "prechat_phone"
	case errors.Is(err, desk.ErrBadEmail):
		return "prechat_email"
	case errors.Is(err, desk.ErrBadQQ):
		return "prechat_qq"
	}
	return "unavailable"
}

type outConvInfo struct {
	ID    uint64     `json:"id"`
	State string     `json:"state"`
	Agent *outAgent  `json:"agent"`
	Pos   int        `json:"pos,omitempty"`
	Ended *outEnding `json:"ended,omitempty"`
}

// outAgent is the agent's public card 客服名片 as the chat window shows it.
type outAgent struct {
	Name   string `json:"name"`
	Nick   string `json:"nick"`
	WorkNo string `json:"work_no,omitempty"`
	QQ     string `json:"qq,omitempty"`
	WeChat string `json:"wechat,omitempty"`
}

// outOnline tells open pages that the first agent of the site came to the workbench or the
// last one left, so the chat page offers a chat or a leave message without a reload.
type outOnline struct {
	T      string `json:"t"`
	Online bool   `json:"online"`
}

type outEnding struct {
	By string `json:"by"`
}

type outConv struct {
	T    string       `json:"t"`
	Conv *outConvInfo `json:"conv"`
	Pos  int          `json:"pos,omitempty"`
}

type outAck struct {
	T    string `json:"t"`
	CID  string `json:"cid"`
	Conv uint64 `json:"conv"`
	Seq  uint64 `json:"seq"`
	At   int64  `json:"at"`
}

type outMsg struct {
	T     string `json:"t"`
	Conv  uint64 `json:"conv"`
	Seq   uint64 `json:"seq"`
	CID   string `json:"cid,omitempty"`
	From  string `json:"from"`
	Name  string `json:"name,omitempty"`
	Text  string `json:"text"`
	At    int64  `json:"at"`
	Event string `json:"event,omitempty"`
}

type outOpen struct {
	T    string `json:"t"`
	Conv uint64 `json:"conv"`
}

type outInvite struct {
	T     string `json:"t"`
	Text  string `json:"text"`
	Agent string `json:"agent"`
}

type outError struct {
	T    string `json:"t"`
	Code string `json:"code"`
	Text string `json:"text"`
}

type outBye struct {
	T    string `json:"t"`
	Code string `json:"code"`
	Text string `json:"text"`
}

type outBare struct {
	T string `json:"t"`
}
