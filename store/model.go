package store

import "time"

// Site is one customer website that embeds the widget. The default site (ID 1) exists from
// the first start and cannot be deleted.
type Site struct {
	ID       uint64       `json:"id"`
	Name     string       `json:"name"`
	Domains  []string     `json:"domains"` // hosts allowed as websocket Origin ("example.com", "*.example.com", "localhost")
	Secret   string       `json:"secret"`  // HMAC key for signed member identity
	Disabled bool         `json:"disabled,omitempty"`
	Created  time.Time    `json:"created"`
	Settings SiteSettings `json:"settings"`
}

// DefaultSiteID is the site created on first start.
const DefaultSiteID uint64 = 1

// SiteSettings is what the widget shows and how it behaves (设置中心).
type SiteSettings struct {
	ChatTitle       string `json:"chat_title,omitempty"`
	Welcome         string `json:"welcome,omitempty"`
	Color           string `json:"color,omitempty"`
	IconText        string `json:"icon_text,omitempty"`
	IconPos         string `json:"icon_pos,omitempty"`
	InviteText      string `json:"invite_text,omitempty"`
	AutoInvite      bool   `json:"auto_invite,omitempty"`
	AutoInviteSecs  int    `json:"auto_invite_secs,omitempty"`
	AutoInvitePages int    `json:"auto_invite_pages,omitempty"`
	// CustomURL is the site's own address for the chat window (自定义URL), if it has one.
	CustomURL string `json:"custom_url,omitempty"`
	// PreChat are the visitor details asked before a chat starts: "name", "phone", "email",
	// "qq" (访客注册设置).
	PreChat []string `json:"pre_chat,omitempty"`
}

// Agent is a member of staff (客服) who logs in over SSH.
type Agent struct {
	ID       uint64    `json:"id"`
	Account  string    `json:"account"`
	Name     string    `json:"name"`
	Nickname string    `json:"nickname,omitempty"`
	RoleID   uint64    `json:"role"`
	Gender   string    `json:"gender,omitempty"`
	Phone    string    `json:"phone,omitempty"`
	Email    string    `json:"email,omitempty"`
	PassHash []byte    `json:"pass_hash,omitempty"`
	WorkNo   string    `json:"work_no,omitempty"`
	QQ       string    `json:"qq,omitempty"`
	WeChat   string    `json:"wechat,omitempty"`
	Seat     bool      `json:"seat"` // 座席状态: only enabled seats receive visitors
	Disabled bool      `json:"disabled,omitempty"`
	Created  time.Time `json:"created"`
	// Sites the agent serves, with distribution settings per site.
	Sites []SiteSeat `json:"sites,omitempty"`
	// Keys are SSH public keys that log in as this agent.
	Keys []AuthorizedKey `json:"keys,omitempty"`
	Lang string          `json:"lang,omitempty"`
	// Notify holds the agent's notification switches by scenario; a missing scenario takes
	// its default (see NotifyDefault).
	Notify map[string]Notify `json:"notify,omitempty"`
	// AwayAfter is how many idle minutes set the agent's status to away: 0 means the default
	// (DefaultAwayAfter), negative means never.
	AwayAfter int `json:"away_after,omitempty"`
}

// DefaultAwayAfter is the idle time, in minutes, after which an agent shows as away.
const DefaultAwayAfter = 10

// AwayMinutes is the agent's idle time before away, 0 for never.
func (a *Agent) AwayMinutes() int {
	switch {
	case a.AwayAfter < 0:
		return 0
	case a.AwayAfter == 0:
		return DefaultAwayAfter
	}
	return a.AwayAfter
}

// Notify is how an agent wants to hear of one scenario: a popup, a sound (terminal bell).
type Notify struct {
	Popup bool `json:"popup"`
	Sound bool `json:"sound"`
}

// Notification scenarios (the product guide's 提醒设置).
const (
	NotifyEnter    = "enter"    // 访客进入网站
	NotifyRequest  = "request"  // 访客请求与我对话
	NotifyMessage  = "message"  // 访客向我发送消息
	NotifyFile     = "file"     // 访客向我发送文件
	NotifyTransfer = "transfer" // 客服向我转接访客
)

// NotifyScenarios lists the scenarios in the order settings show them.
var NotifyScenarios = []string{NotifyEnter, NotifyRequest, NotifyMessage, NotifyFile, NotifyTransfer}

// NotifyDefault is a scenario's switch when the agent has not set it: everything pops up,
// and everything but a visitor merely entering the site rings.
func NotifyDefault(scenario string) Notify {
	return Notify{Popup: true, Sound: scenario != NotifyEnter}
}

// NotifyFor is the agent's switch for a scenario.
func (a *Agent) NotifyFor(scenario string) Notify {
	if n, ok := a.Notify[scenario]; ok {
		return n
	}
	return NotifyDefault(scenario)
}

// DisplayName is how visitors and colleagues see the agent: nickname, else name, else account.
func (a *Agent) DisplayName() string {
	switch {
	case a.Nickname != "":
		return a.Nickname
	case a.Name != "":
		return a.Name
	}
	return a.Account
}

// Serves reports whether the agent is assigned to the site.
func (a *Agent) Serves(siteID uint64) bool {
	for _, s := range a.Sites {
		if s.SiteID == siteID {
			return true
		}
	}
	return false
}

// SiteSeat is an agent's assignment to a site (客服分配).
type SiteSeat struct {
	SiteID     uint64   `json:"site"`
	Group      string   `json:"group,omitempty"`
	AutoAssign bool     `json:"auto_assign"`
	Regions    []string `json:"regions,omitempty"` // provinces (short names) this agent prefers
	MaxChats   int      `json:"max_chats,omitempty"`
}

// AuthorizedKey is an SSH public key registered to an agent.
type AuthorizedKey struct {
	Fingerprint string    `json:"fp"` // SHA256:… as ssh-keygen prints it
	Line        string    `json:"line"`
	Comment     string    `json:"comment,omitempty"`
	Added       time.Time `json:"added"`
}

// Role names a set of permissions. Built-in roles cannot be changed or deleted.
type Role struct {
	ID      uint64           `json:"id"`
	Name    string           `json:"name"`
	Builtin string           `json:"builtin,omitempty"` // "super", "app", "agent" for the built-in roles
	Perms   map[string]Scope `json:"perms"`             // module → scope
}

// Scope says which sites a permission covers.
type Scope string

// Scopes of a permission.
const (
	ScopeNone Scope = ""
	ScopeAll  Scope = "all" // 全部网站
	ScopeOwn  Scope = "own" // 所在网站
)

// Visitor is one browser on one site, kept across visits.
type Visitor struct {
	ID         uint64    `json:"id"`
	SiteID     uint64    `json:"site"`
	Key        string    `json:"key"` // the browser's visitor id
	Created    time.Time `json:"created"`
	LastSeen   time.Time `json:"last_seen"`
	VisitStart time.Time `json:"visit_start"`
	Visits     int       `json:"visits"`
	Pages      int       `json:"pages,omitempty"` // page views in the current visit (本次浏览 N 页)
	Chats      int       `json:"chats"`
	IP         string    `json:"ip,omitempty"`
	UserAgent  string    `json:"ua,omitempty"`
	Referrer   string    `json:"ref,omitempty"`     // referrer of this visit's landing page
	Landing    string    `json:"landing,omitempty"` // this visit's first URL
	Member     *Member   `json:"member,omitempty"`
	Card       Card      `json:"card"`
	LastAgent  uint64    `json:"last_agent,omitempty"`
}

// Member is a visitor the site has identified with a signed identity.
type Member struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Card is the visitor card (访客名片) agents keep about a visitor.
type Card struct {
	Name    string `json:"name,omitempty"`
	Phone   string `json:"phone,omitempty"`
	QQ      string `json:"qq,omitempty"`
	Email   string `json:"email,omitempty"`
	WeChat  string `json:"wechat,omitempty"`
	Company string `json:"company,omitempty"`
	Notes   string `json:"notes,omitempty"`
}

// PageView is one page of a visitor's trail (访客轨迹).
type PageView struct {
	Seq      uint64    `json:"seq"`
	Visit    int       `json:"visit"`
	At       time.Time `json:"at"`
	URL      string    `json:"url"`
	Title    string    `json:"title,omitempty"`
	Referrer string    `json:"ref,omitempty"`
}

// ConvState is where a conversation stands.
type ConvState string

// Conversation states.
const (
	ConvWaiting ConvState = "waiting" // the visitor asked; no agent yet
	ConvQueued  ConvState = "queued"  // every eligible agent is full
	ConvOpen    ConvState = "open"
	ConvEnded   ConvState = "ended"
)

// Conversation is one chat (对话) between a visitor and one or more agents.
type Conversation struct {
	ID        uint64    `json:"id"`
	SiteID    uint64    `json:"site"`
	VisitorID uint64    `json:"visitor"`
	AgentID   uint64    `json:"agent,omitempty"`  // the agent now serving
	Agents    []uint64  `json:"agents,omitempty"` // everyone who served, in order
	State     ConvState `json:"state"`
	Created   time.Time `json:"created"`
	Accepted  time.Time `json:"accepted,omitempty"`
	Ended     time.Time `json:"ended,omitempty"`
	EndedBy   string    `json:"ended_by,omitempty"` // "visitor", "agent", "system"
	Rating    *Rating   `json:"rating,omitempty"`
	Category  string    `json:"category,omitempty"`
	Processed bool      `json:"processed,omitempty"`
}

// Rating is the visitor's satisfaction rating (评价) of a conversation.
type Rating struct {
	Stars int       `json:"stars"`
	Text  string    `json:"text,omitempty"`
	At    time.Time `json:"at"`
}

// Party says who wrote a message.
type Party string

// Message authors.
const (
	FromVisitor Party = "visitor"
	FromAgent   Party = "agent"
	FromSystem  Party = "system"
)

// Message is one line of a transcript. Seq is per conversation, from 1, without gaps.
type Message struct {
	ConvID  uint64    `json:"conv"`
	Seq     uint64    `json:"seq"`
	CID     string    `json:"cid,omitempty"` // client id: a retried send is stored once
	From    Party     `json:"from"`
	AgentID uint64    `json:"agent,omitempty"`
	Name    string    `json:"name,omitempty"` // author's display name when written
	Text    string    `json:"text"`
	At      time.Time `json:"at"`
	// Event marks a system message ("accepted", "ended", "transferred"…); the UIs word it in
	// the reader's language from Event and Name.
	Event string `json:"event,omitempty"`
	// File is set when the message is a file sent in the chat.
	File *FileRef `json:"file,omitempty"`
	// Internal messages are for agents only (a transfer note); visitors never receive them.
	Internal bool `json:"internal,omitempty"`
}

// FileRef points at a stored file from a message.
type FileRef struct {
	Hash string `json:"hash"` // SHA-256, hex: the file's name in the data dir
	Name string `json:"name"` // the name the sender gave it (display only, never a path)
	Size int64  `json:"size"`
	Type string `json:"type,omitempty"` // sniffed content type
}
