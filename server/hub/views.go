package hub

import (
	"time"

	"kefu/store"
)

// VisitorKind is the visitor type (访客类型) shown in the monitor.
type VisitorKind string

// Visitor kinds.
const (
	KindNew       VisitorKind = "new"       // 新访客: first visit
	KindReturning VisitorKind = "returning" // 旧访客
	KindIntent    VisitorKind = "intent"    // 意向访客: has chatted
	KindMember    VisitorKind = "member"    // 会员访客: signed identity
)

// VisitorState is what a visitor is doing right now.
type VisitorState string

// Visitor states.
const (
	StateBrowsing VisitorState = "browsing" // 浏览中
	StateInvited  VisitorState = "invited"  // 已邀请
	StateWaiting  VisitorState = "waiting"  // 请求对话, not yet taken
	StateQueued   VisitorState = "queued"   // 排队
	StateChatting VisitorState = "chatting" // 对话中
)

// VisitorView is an immutable snapshot of an online visitor: what the monitor shows. Change
// it only through Hub.UpdateVisitor, which copies.
type VisitorView struct {
	ID     uint64
	SiteID uint64
	Key    string
	Name   string // card or member name; "" means show the number
	Kind   VisitorKind

	Channel string // "pc", "mobile", "wechat"
	Browser string
	OS      string

	Visits int
	Chats  int

	IP       string
	Region   string // 广东省广州市
	RegionEN string
	Province string // short name for routing: 广东

	VisitStart time.Time // stay time counts from here
	LastActive time.Time

	Source   string // 百度(在线客服)
	SourceEN string
	Keyword  string

	PageURL   string
	PageTitle string
	PageViews int // in this visit

	State     VisitorState
	ConvID    uint64
	AgentID   uint64
	AgentName string
	Online    bool
}

// ConvView is an immutable snapshot of a conversation that has not ended.
type ConvView struct {
	ID        uint64
	SiteID    uint64
	VisitorID uint64
	AgentID   uint64
	Agents    []uint64
	State     store.ConvState
	Created   time.Time
	Accepted  time.Time
	QueuePos  int // when queued: 1 is next
	EndedBy   string
}

// AgentStatus is what an agent shows colleagues and the distribution engine.
type AgentStatus string

// Agent statuses.
const (
	StatusOnline AgentStatus = "online" // 在线
	StatusBusy   AgentStatus = "busy"   // 忙碌
	StatusAway   AgentStatus = "away"   // 离开
)

// AgentView is an immutable snapshot of an agent at the workbench.
type AgentView struct {
	ID       uint64
	Account  string
	Name     string // display name
	WorkNo   string
	Status   AgentStatus
	Sites    []uint64
	Chats    int // open conversations being served; the hub keeps it right
	MaxChats int
}

// Event is something subscribers hear about.
type Event interface{ event() }

// VisitorChanged: a visitor came online or their view changed.
type VisitorChanged struct {
	V *VisitorView
	// Site is the site's list of online visitors with this change in it.
	Site Visitors
}

// VisitorLeft: a visitor went offline.
type VisitorLeft struct {
	ID, SiteID uint64
	// Site is the site's list of online visitors without this one.
	Site Visitors
}

// ConvChanged: a conversation was created, accepted, queued, transferred or ended.
type ConvChanged struct{ C *ConvView }

// MessageAdded: a message was durably stored in a conversation.
type MessageAdded struct {
	M         store.Message
	SiteID    uint64
	VisitorID uint64
}

// Typing: the visitor's typing preview.
type Typing struct {
	ConvID uint64
	Text   string
}

// AgentChanged: an agent came online or changed status or load.
type AgentChanged struct{ A *AgentView }

// AgentLeft: an agent's last session ended.
type AgentLeft struct{ ID uint64 }

// Invite: an agent invites the visitor to chat (to the visitor).
type Invite struct {
	Text      string
	AgentName string
}

// InviteOff: the invite was withdrawn or answered elsewhere (to the visitor).
type InviteOff struct{}

// OpenChat: an agent opened a conversation with the visitor (to the visitor).
type OpenChat struct{ ConvID uint64 }

// Notice is a notification for an agent (a popup line, maybe a bell).
type Notice struct {
	Kind      string // "invite_declined", "invite_accepted", "transfer", "request", …
	ConvID    uint64
	VisitorID uint64
	Text      string
	From      string // who caused it (the colleague who transferred), display name
}

// SettingsChanged: a site's widget settings changed; open widgets reload them (to visitors).
type SettingsChanged struct{ SiteID uint64 }

// SiteOnline: the site's first agent came to the workbench (Online) or its last one left, so
// open chat pages offer a chat or the leave-message form without a reload (to visitors).
type SiteOnline struct{ Online bool }

// Resync: the session's sites changed; it replaces its live state with the snapshot.
type Resync struct{ Snapshot Snapshot }

// Bye tells a connection to close: the server shuts down, the visitor was blocked, or the
// agent was disabled.
type Bye struct{ Code, Text string }

func (VisitorChanged) event()  {}
func (VisitorLeft) event()     {}
func (ConvChanged) event()     {}
func (MessageAdded) event()    {}
func (Typing) event()          {}
func (AgentChanged) event()    {}
func (AgentLeft) event()       {}
func (Invite) event()          {}
func (InviteOff) event()       {}
func (OpenChat) event()        {}
func (Notice) event()          {}
func (Bye) event()             {}
func (SettingsChanged) event() {}
func (SiteOnline) event()      {}
func (Resync) event()          {}
